// The kernel plan and kernel-specific weight layouts, made once at load into a buffer the caller
// owns: the blob keeps its canonical weights (zero-copy), so one blob serves every ISA and
// kernel set. The buffer starts with one `KernelPlan` per op (docs/kernels.md, "The kernel
// plan"), then each packed op's weights, rounded up to 16 bytes. A set without packed kernels
// (`Reference`) gets the plan only: its canonical kernels, and the fused conv2D + max pool steps.

extension Model {
    /// Bytes of the packed-weights buffer for `kernels` on this machine: the plan, then the
    /// packed weights (none if the set's `plannedFeatures` is nil).
    @inlinable
    public func packedWeightsByteCount<Kernels: KernelSet>(for kernels: Kernels.Type) -> Int {
        packedWeightsByteCount(for: kernels, features: Kernels.plannedFeatures)
    }

    /// Fills `destination` (`packedWeightsByteCount(for:)` bytes, 16-byte aligned, owned by the
    /// caller and left unchanged while `predict` uses it; threads can share it).
    @inlinable
    public func packWeights<Kernels: KernelSet>(for kernels: Kernels.Type, into destination: UnsafeMutableRawPointer) {
        packWeights(for: kernels, features: Kernels.plannedFeatures, into: destination)
    }

    /// Bytes of the packed-weights buffer for `kernels` planned for `features` (`kernelPlan(op:features:)`;
    /// a subset of this machine's: tests run every variant the CPU can).
    @inlinable
    public func packedWeightsByteCount<Kernels: KernelSet>(for kernels: Kernels.Type, features: CPUFeatures?) -> Int {
        var byteCount = planTableByteCount
        for index in 0..<opCount {
            byteCount += packedByteCount(op: index, plan: kernelPlan(op: index, features: features), for: kernels)
        }
        return byteCount
    }

    /// `packWeights(for:into:)` with the plan made for `features` (`kernelPlan(op:features:)`;
    /// a subset of this machine's).
    @inlinable
    public func packWeights<Kernels: KernelSet>(
        for kernels: Kernels.Type, features: CPUFeatures?, into destination: UnsafeMutableRawPointer
    ) {
        var offset = planTableByteCount
        for index in 0..<opCount {
            var plan = kernelPlan(op: index, features: features)
            let count = packedByteCount(op: index, plan: plan, for: kernels)
            if count > 0 {
                var filter = channelwiseWeights(op(index))
                filter.packed = nil
                Kernels.pack(convolutionParameters(op(index)), plan: plan, filter: filter, into: destination + offset)
                plan.offset = offset
                plan.byteCount = count
            }
            // Not storeBytes: its memcpy takes an Int64 size, which Embedded Swift cannot convert
            // to on 32-bit targets without allocating (Numerics/Widening.swift).
            (destination + index * MemoryLayout<KernelPlan>.stride).bindMemory(to: KernelPlan.self, capacity: 1).pointee = plan
            offset += count
        }
    }

    /// Bytes of the plan records at the start of the packed buffer, rounded up to 64 so that
    /// the packed weights after them keep their alignment.
    @inlinable
    var planTableByteCount: Int { (opCount * MemoryLayout<KernelPlan>.stride + 63) & ~63 }

    /// Bytes op `index`'s packed weights take for `plan`, rounded up to 16.
    @inlinable
    func packedByteCount<Kernels: KernelSet>(op index: Int, plan: KernelPlan, for kernels: Kernels.Type) -> Int {
        let o = op(index)
        guard o.kind == .conv2D, !o.isWide else { return 0 }
        return (Kernels.packedByteCount(convolutionParameters(o), plan: plan) + 15) & ~15
    }
}

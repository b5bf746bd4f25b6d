// Kernel-specific weight layouts, packed once at load into a buffer the caller owns: the blob
// keeps its canonical weights (zero-copy), so one blob serves every ISA and kernel set.

extension Model {
    /// Bytes of the packed-weights buffer for `kernels` (0 if the set reads canonical weights).
    /// Each op's part is rounded up to 16 bytes.
    @inlinable
    public func packedWeightsByteCount<Kernels: KernelSet>(for kernels: Kernels.Type) -> Int {
        packedWeightsOffset(op: opCount, for: kernels)
    }

    /// Fills `destination` (`packedWeightsByteCount(for:)` bytes, 16-byte aligned, owned by the
    /// caller and left unchanged while `predict` uses it; threads can share it).
    @inlinable
    public func packWeights<Kernels: KernelSet>(for kernels: Kernels.Type, into destination: UnsafeMutableRawPointer) {
        var offset = 0
        for index in 0..<opCount {
            let count = packedByteCount(op: index, for: kernels)
            if count > 0 {
                var filter = channelwiseWeights(op(index))
                filter.packed = nil
                Kernels.pack(convolutionParameters(op(index)), filter: filter, into: destination + offset)
            }
            offset += count
        }
    }

    /// Where op `index`'s packed weights start in the buffer (`opCount` gives the total).
    @inlinable
    public func packedWeightsOffset<Kernels: KernelSet>(op index: Int, for kernels: Kernels.Type) -> Int {
        var offset = 0
        for i in 0..<index { offset += packedByteCount(op: i, for: kernels) }
        return offset
    }

    /// Bytes op `index` takes in the packed buffer, rounded up to 16.
    @inlinable
    func packedByteCount<Kernels: KernelSet>(op index: Int, for kernels: Kernels.Type) -> Int {
        let o = op(index)
        guard o.kind == .conv2D else { return 0 }
        return (Kernels.packedByteCount(convolutionParameters(o)) + 15) & ~15
    }
}

import FacelyzrRuntime

/// A model's weights packed once for `DefaultKernels` at load (docs/benchmarks.md), as a board
/// program would do, in memory this object owns.
final class PackedWeightsBuffer {
    /// What `predict` and `Localiser.detect` take; nil when the kernels read the canonical weights.
    let pointer: UnsafeRawPointer?
    private let storage: UnsafeMutableRawPointer?

    init(for model: Model) {
        let byteCount = model.packedWeightsByteCount(for: DefaultKernels.self)
        storage = byteCount > 0 ? .allocate(byteCount: byteCount, alignment: 64) : nil
        if let storage { model.packWeights(for: DefaultKernels.self, into: storage) }
        pointer = storage.map { UnsafeRawPointer($0) }
    }

    deinit { storage?.deallocate() }
}

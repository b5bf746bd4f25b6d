// What the fast kernels ran, recorded in debug builds only, so a test can check that `predict`
// runs exactly the variants its kernel plan names. Release and Embedded builds compile
// `Fast.trace` to nothing.

#if DEBUG
/// The kernels one op's step ran, as a fast kernel records it when it starts.
public struct KernelRun: Equatable, Sendable {
    public var kind: OpKind
    public var variant: KernelVariant
    public var mode: KernelMode
    /// The kernel also ran the 2x2 max pool after the convolution (`MaxPoolFusion.inKernel`).
    public var pooled: Bool
    public var gather: GatherVariant

    public init(kind: OpKind, variant: KernelVariant, mode: KernelMode, pooled: Bool = false, gather: GatherVariant = .portable) {
        (self.kind, self.variant, self.mode, self.pooled, self.gather) = (kind, variant, mode, pooled, gather)
    }
}

/// A recording of the fast kernels' runs in the current task (debug builds only):
/// `KernelTrace.$current.withValue(trace) { ... }`.
public final class KernelTrace: @unchecked Sendable {
    /// The trace the fast kernels record into, or nil.
    @TaskLocal public static var current: KernelTrace?

    /// The runs so far, in order. Only the task that set `current` records here.
    public private(set) var runs: [KernelRun] = []

    public init() {}

    func record(_ run: KernelRun) { runs.append(run) }
}
#endif

extension Fast {
    /// Records that a kernel of `kind` runs as (`variant`, `mode`) into `KernelTrace.current`
    /// (debug builds; nothing otherwise).
    @inline(__always)
    static func trace(
        _ kind: OpKind, _ variant: KernelVariant, _ mode: KernelMode, pooled: Bool = false, gather: GatherVariant = .portable
    ) {
        #if DEBUG
        KernelTrace.current?.record(KernelRun(kind: kind, variant: variant, mode: mode, pooled: pooled, gather: gather))
        #endif
    }
}

import CBLAS

/// Float matrix products through OpenBLAS `cblas_sgemm`, row-major.
///
/// `C = alpha * op(A) * op(B) + beta * C` with `op(A)` of shape `m x k`, `op(B)` of shape `k x n`.
/// `transposeA` means `A` is stored `k x m` (and `op(A) = Aᵀ`), likewise for `B`.
@inline(__always)
func matrixMultiply(
    _ a: UnsafePointer<Float>, transposeA: Bool,
    _ b: UnsafePointer<Float>, transposeB: Bool,
    into c: UnsafeMutablePointer<Float>,
    m: Int, n: Int, k: Int, alpha: Float = 1, beta: Float = 0
) {
    guard m > 0, n > 0 else { return }
    guard k > 0 else {
        if beta == 0 { c.update(repeating: 0, count: m * n) } else if beta != 1 {
            for i in 0..<(m * n) { c[i] *= beta }
        }
        return
    }
    cblas_sgemm(
        CblasRowMajor,
        transposeA ? CblasTrans : CblasNoTrans,
        transposeB ? CblasTrans : CblasNoTrans,
        Int32(m), Int32(n), Int32(k), alpha,
        a, Int32(transposeA ? m : k),
        b, Int32(transposeB ? k : n),
        beta, c, Int32(n))
}

/// How many threads the float code uses: OpenBLAS's for the matrix products, and the shards of
/// a supervised training step (see `Trainer.threads`).
public enum ComputeThreads {
    /// The count last set (1 until then); a new `Trainer` takes it as its `threads`.
    nonisolated(unsafe) public private(set) static var count = 1

    /// Sets the thread count. One thread gives bit-identical results run to run (the
    /// deterministic mode the tests and resumable runs use); more threads use more cores.
    public static func set(_ count: Int) {
        self.count = max(1, count)
        openblasThreads(self.count)
    }

    /// Sets OpenBLAS's thread count only (a data-parallel step runs its shards' products on one
    /// thread each, then gives back `count`).
    static func openblasThreads(_ count: Int) {
        openblas_set_num_threads(Int32(max(1, count)))
    }
}

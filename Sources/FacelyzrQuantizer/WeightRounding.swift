import CBLAS
import FacelyzrTrainer

/// How the quantizer rounds each layer's weights to int8 (docs/quantization.md "Weight rounding").
/// Both keep the per-channel scales `max|w| / 127`; only the int8 values differ.
public enum WeightRounding: String, CaseIterable, Sendable {
    /// Every weight to its nearest step (`quantizeWeightsPerChannel`).
    case nearest
    /// GPTQ: a channel's weights rounded one input at a time, each rounding error compensated by
    /// the weights not yet rounded, through the inverse of the second moments of the layer's
    /// inputs on the calibration faces, so that the layer's output on those inputs moves least.
    case gptq
}

/// `XᵀX` summed over the rows `X` a weighted node multiplies its weights with: the im2col rows of
/// a convolution's input (in the weights' OHWI order) or a dense layer's flattened input.
struct InputMoments {
    let length: Int
    /// `length x length`, row-major; only the upper triangle is summed until `symmetric()`.
    private(set) var sums: [Float]

    init(length: Int) {
        self.length = length
        sums = [Float](repeating: 0, count: length * length)
    }

    /// Adds `XᵀX` of the `rows x length` row-major matrix at `x`.
    mutating func add(_ x: UnsafePointer<Float>, rows: Int) {
        guard rows > 0 else { return }
        let n = length
        sums.withUnsafeMutableBufferPointer { c in
            cblas_ssyrk(CblasRowMajor, CblasUpper, CblasTrans, Int32(n), Int32(rows), 1, x, Int32(n), 1, c.baseAddress!, Int32(n))
        }
    }

    /// Adds the moments of `node`'s input `x` (a batch), through the node's im2col for a
    /// convolution; each place of a per-place head's map is one row.
    mutating func add(_ x: Tensor, of node: FloatGraph.Node, columns: inout [Float]) {
        if node.isPerPlaceHead {
            precondition(x.values.count % length == 0, "a map of \(x.values.count) values for \(length) channels per place")
            x.values.withUnsafeBufferPointer { add($0.baseAddress!, rows: x.values.count / length) }
        } else if case .conv2D(let g) = node.kind {
            let image = Tensor(shape: [x.batch, g.inputHeight, g.inputWidth, g.inputChannels], values: x.values)
            _ = conv2DForward(image, weight: node.weight!, bias: node.bias!, geometry: g, activation: .none, columns: &columns)
            columns.withUnsafeBufferPointer { add($0.baseAddress!, rows: $0.count / length) }
        } else {
            precondition(x.itemCount == length, "a dense input of \(x.itemCount) values for \(length) weights per channel")
            x.values.withUnsafeBufferPointer { add($0.baseAddress!, rows: x.batch) }
        }
    }

    /// The full matrix in double precision (the lower triangle mirrored from the upper).
    func symmetric() -> [Double] {
        let n = length
        var h = [Double](repeating: 0, count: n * n)
        for i in 0..<n {
            for j in i..<n {
                h[i * n + j] = Double(sums[i * n + j])
                h[j * n + i] = h[i * n + j]
            }
        }
        return h
    }
}

/// GPTQ rounding (Frantar et al., "GPTQ: Accurate Post-Training Quantization for Generative
/// Pre-trained Transformers", 2023) of `weights` (`channels` rows, each `moments.length` long),
/// docs/quantization.md "Weight rounding". Scales are those of `quantizeWeightsPerChannel`; in
/// each channel, weight `i` is rounded to its nearest step of the weight as updated so far
/// (clamped to [-127, 127]), and its error `e` is spread onto the later weights `j` as
/// `w_j -= e / U_ii * U_ij`, with `U` the upper Cholesky factor of `(H + λI)⁻¹`, `H` the input
/// moments and `λ` `dampening` times their mean diagonal (inputs that were always 0 get a
/// diagonal of 1). Falls back to nearest rounding when `H + λI` is not positive definite.
func quantizeWeightsGPTQ(_ weights: [Float], channels: Int, moments: InputMoments, dampening: Double = 0.01) -> ChannelQuantizedWeights {
    let nearest = quantizeWeightsPerChannel(weights, channels: channels)
    let n = nearest.perChannel
    precondition(n == moments.length, "moments of \(moments.length) inputs for \(n) weights per channel")
    var h = moments.symmetric()
    let meanDiagonal = (0..<n).reduce(0.0) { $0 + h[$1 * n + $1] } / Double(n)
    for i in 0..<n {
        if h[i * n + i] == 0 { h[i * n + i] = 1 }
        h[i * n + i] += dampening * max(meanDiagonal, 1e-12)
    }
    guard let u = upperCholeskyOfInverse(h, n) else { return nearest }
    var values = nearest.values
    var w = [Double](repeating: 0, count: n)
    for c in 0..<channels where nearest.scales[c] > 0 {
        let s = Double(nearest.scales[c])
        for j in 0..<n { w[j] = Double(weights[c * n + j]) }
        for i in 0..<n {
            let q = max(-127, min(127, (w[i] / s).rounded(.toNearestOrAwayFromZero)))
            values[c * n + i] = Int8(q)
            let e = (w[i] - q * s) / u[i * n + i]
            for j in (i + 1)..<n { w[j] -= e * u[i * n + j] }
        }
    }
    return ChannelQuantizedWeights(values: values, scales: nearest.scales, perChannel: n)
}

/// `U`, upper triangular, with `UᵀU = A⁻¹` for the symmetric positive definite `n x n` `A`
/// (row-major); nil when `A` is not positive definite.
func upperCholeskyOfInverse(_ a: [Double], _ n: Int) -> [Double]? {
    guard let l = lowerCholesky(a, n) else { return nil }
    // L⁻¹: L X = I.
    var lInverse = [Double](repeating: 0, count: n * n)
    for i in 0..<n { lInverse[i * n + i] = 1 }
    l.withUnsafeBufferPointer { m in
        lInverse.withUnsafeMutableBufferPointer { x in
            cblas_dtrsm(CblasRowMajor, CblasLeft, CblasLower, CblasNoTrans, CblasNonUnit, Int32(n), Int32(n), 1,
                        m.baseAddress!, Int32(n), x.baseAddress!, Int32(n))
        }
    }
    // A⁻¹ = L⁻ᵀ L⁻¹ (upper triangle), then its Cholesky factor.
    var inverse = [Double](repeating: 0, count: n * n)
    lInverse.withUnsafeBufferPointer { m in
        inverse.withUnsafeMutableBufferPointer { c in
            cblas_dsyrk(CblasRowMajor, CblasUpper, CblasTrans, Int32(n), Int32(n), 1, m.baseAddress!, Int32(n), 0, c.baseAddress!, Int32(n))
        }
    }
    for i in 0..<n { for j in 0..<i { inverse[i * n + j] = inverse[j * n + i] } }
    guard let lower = lowerCholesky(inverse, n) else { return nil }
    var u = [Double](repeating: 0, count: n * n)
    for i in 0..<n { for j in 0...i { u[j * n + i] = lower[i * n + j] } }
    return u
}

/// `L`, lower triangular, with `LLᵀ = A` (row-major, the upper triangle 0); nil when a pivot is not positive.
func lowerCholesky(_ a: [Double], _ n: Int) -> [Double]? {
    var l = [Double](repeating: 0, count: n * n)
    for i in 0..<n {
        for j in 0...i {
            var sum = a[i * n + j]
            for k in 0..<j { sum -= l[i * n + k] * l[j * n + k] }
            if i == j {
                guard sum > 0 else { return nil }
                l[i * n + i] = sum.squareRoot()
            } else {
                l[i * n + j] = sum / l[j * n + j]
            }
        }
    }
    return l
}

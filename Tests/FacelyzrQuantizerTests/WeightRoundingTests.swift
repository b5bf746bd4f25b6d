import FacelyzrData
@testable import FacelyzrQuantizer
import FacelyzrRandom
import FacelyzrTestSupport
import FacelyzrTrainer
import Testing

/// GPTQ weight rounding (docs/quantization.md "Weight rounding").
@Suite struct WeightRoundingTests {
    /// `rows x n` correlated inputs (three shared factors with these `loadings`, `3 x n`, plus
    /// noise; every fifth input 4x larger), like a layer's im2col rows.
    static func inputs(rows: Int, loadings: [Float], _ g: inout SplitMix64) -> [Float] {
        let n = loadings.count / 3
        return (0..<rows).flatMap { _ -> [Float] in
            let f = (0..<3).map { _ in g.boxMullerNormal() }
            return (0..<n).map { j in
                (f[0] * loadings[j] + f[1] * loadings[n + j] + f[2] * loadings[2 * n + j] + 0.3 * g.boxMullerNormal()) * (j % 5 == 0 ? 4 : 1)
            }
        }
    }

    /// Mean squared error of the layer's outputs `W x` over the rows of `x`.
    static func outputError(_ w: [Float], _ q: ChannelQuantizedWeights, _ x: [Float], n: Int) -> Double {
        let deq = q.dequantized(), rows = x.count / n
        var sum = 0.0
        for c in 0..<q.channels {
            for r in 0..<rows {
                var d = 0.0
                for j in 0..<n { d += Double(w[c * n + j] - deq[c * n + j]) * Double(x[r * n + j]) }
                sum += d * d
            }
        }
        return sum / Double(rows * q.channels)
    }

    @Test func theFactorInvertsTheMatrix() throws {
        var g = SplitMix64(state: 3)
        let n = 17
        let x = (0..<(40 * n)).map { _ in Double(g.boxMullerNormal()) }
        var a = [Double](repeating: 0, count: n * n)
        for i in 0..<n { for j in 0..<n { for r in 0..<40 { a[i * n + j] += x[r * n + i] * x[r * n + j] } } }
        let u = try #require(upperCholeskyOfInverse(a, n))
        for i in 0..<n { for j in 0..<i { #expect(u[i * n + j] == 0) } }
        // (UᵀU) A = I.
        for i in 0..<n {
            for j in 0..<n {
                var product = 0.0
                for k in 0..<n {
                    var inverse = 0.0
                    for m in 0..<n { inverse += u[m * n + i] * u[m * n + k] }
                    product += inverse * a[k * n + j]
                }
                #expect(abs(product - (i == j ? 1 : 0)) < 1e-8, "(\(i), \(j)): \(product)")
            }
        }
        #expect(upperCholeskyOfInverse([1, 2, 2, 1], 2) == nil, "not positive definite")
    }

    @Test func gptqMovesTheOutputsLessThanNearestRoundingOnUnseenInputs() {
        var g = SplitMix64(state: 7)
        let n = 36, channels = 8
        let w = (0..<(channels * n)).map { _ in g.boxMullerNormal() * 0.2 }
        let loadings = (0..<(3 * n)).map { _ in g.boxMullerNormal() }
        let calibration = Self.inputs(rows: 2000, loadings: loadings, &g), unseen = Self.inputs(rows: 2000, loadings: loadings, &g)
        var moments = InputMoments(length: n)
        calibration.withUnsafeBufferPointer { moments.add($0.baseAddress!, rows: 2000) }
        let nearest = quantizeWeightsPerChannel(w, channels: channels)
        let gptq = quantizeWeightsGPTQ(w, channels: channels, moments: moments)
        #expect(gptq.scales == nearest.scales)
        #expect(gptq.values.allSatisfy { (-127...127).contains($0) })
        #expect(gptq.values != nearest.values)
        let before = Self.outputError(w, nearest, unseen, n: n), after = Self.outputError(w, gptq, unseen, n: n)
        #expect(after < 0.5 * before, "output MSE \(after) with GPTQ, \(before) with nearest rounding")
    }

    @Test func aNetworkQuantizedWithGPTQKeepsItsScalesAndSaysSo() throws {
        let graph = tinyGraph()
        let faces = SplitFaces<CalibrationSplit>(tinyFaces, limit: 16)
        let nearest = try Quantizer.quantize(graph, name: "tiny", calibration: faces, options: QuantizationOptions(method: .minMax))
        let gptq = try Quantizer.quantize(graph, name: "tiny", calibration: faces,
                                          options: QuantizationOptions(method: .minMax, weightRounding: .gptq))
        #expect(gptq.bytes.count == nearest.bytes.count && gptq.bytes != nearest.bytes)
        #expect(gptq.options.contains("weight rounding gptq") && !nearest.options.contains("weight rounding"))
        #expect(zip(gptq.layers, nearest.layers).allSatisfy { $0.channels == $1.channels && $0.range == $1.range })
    }
}

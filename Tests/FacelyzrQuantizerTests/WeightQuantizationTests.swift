import FacelyzrBlobBuilder
import FacelyzrData
import FacelyzrQuantizer
import FacelyzrRandom
import FacelyzrRuntime
import FacelyzrTestSupport
import FacelyzrTrainer
import Testing

@Suite struct WeightQuantizationTests {
    @Test func perChannelWeightsRoundTripWithinHalfAStep() {
        var g = SplitMix64(state: 11)
        for trial in 0..<200 {
            let channels = 1 + Int(g.next() % 9), per = 1 + Int(g.next() % 40)
            let spread = Float(1 + g.next() % 1000) / 100
            var w = (0..<(channels * per)).map { _ in g.boxMullerNormal() * spread }
            let zero = Int(g.next() % UInt64(channels))
            if trial % 3 == 0 { for j in 0..<per { w[zero * per + j] = 0 } }
            let q = quantizeWeightsPerChannel(w, channels: channels)
            let back = q.dequantized()
            for c in 0..<channels {
                let row = (c * per)..<((c + 1) * per)
                let s = q.scales[c]
                if w[row].allSatisfy({ $0 == 0 }) {
                    #expect(s == 0)
                    #expect(q.values[row].allSatisfy { $0 == 0 })
                    continue
                }
                #expect(q.values[row].map { abs(Int($0)) }.max() == 127, "the largest weight uses the whole range")
                for i in row {
                    #expect(q.values[i] >= -127)
                    #expect(abs(w[i] - back[i]) <= s / 2 * (1 + 1e-5), "trial \(trial) weight \(i)")
                }
            }
        }
    }

    @Test func biasRoundsToItsScaleAndReportsSaturation() {
        let b = quantizeBias([0.3, -1.7, 5e9, -5e9, 1], inputScale: 1.0 / 128, weightScales: [0.01, 0.02, 0.01, 0.01, 0])
        #expect(b.saturatedChannels == [2, 3])
        #expect(b.values[2] == Int32.max && b.values[3] == Int32.min)
        #expect(b.values[4] == 0, "a zero-weight channel has no bias scale")
        for c in 0..<2 {
            let s = Double(b.scales[c])
            #expect(abs(Double([0.3, -1.7][c]) - s * Double(b.values[c])) <= s / 2)
        }
    }

    @Test func zeroChannelKeepsANonZeroBias() {
        let s = zeroChannelScale(bias: -0.75, inputScale: 0.05)
        let b = quantizeBias([-0.75], inputScale: 0.05, weightScales: [s])
        #expect(b.values == [-1_048_576])
        #expect(zeroChannelScale(bias: 0, inputScale: 0.05) == 0)
    }

    @Test func activationsRoundTripWithinHalfAStepAndZeroIsExact() {
        var g = SplitMix64(state: 5)
        for _ in 0..<300 {
            let low = -abs(g.boxMullerNormal()) * 4 * Float(g.next() % 2), high = abs(g.boxMullerNormal()) * 4 + 0.01
            let q = ActivationRange(low: low, high: high).quantization
            #expect(q.dequantize(q.quantize(0)) == 0)
            #expect((-128...127).contains(q.zeroPoint))
            for _ in 0..<50 {
                let x = low + (high - low) * g.unit()
                #expect(abs(q.dequantize(q.quantize(x)) - x) <= q.scale / 2 * 1.0001 + 1e-6)
            }
        }
        let relu = ActivationRange(low: 0, high: 5.1).quantization
        #expect(relu.zeroPoint == -128 && relu.scale == Float(5.1) / 255)
    }

    @Test func eachQuantizedLayerOfANetworkStaysWithinItsBounds() throws {
        let graph = tinyGraph()
        let model = try Quantizer.quantize(graph, name: "tiny", calibration: SplitFaces(tinyFaces, limit: 16),
                                           options: QuantizationOptions(method: .minMax))
        for layer in model.layers where layer.channels != nil {
            #expect(layer.maxWeightErrorInSteps! <= 0.5 + 1e-4, "\(layer.name)")
            #expect(layer.saturatedBiasChannels == [], "\(layer.name)")
        }
        #expect(graph.nodes.count == model.layers.count, "one op per graph node")
    }
}

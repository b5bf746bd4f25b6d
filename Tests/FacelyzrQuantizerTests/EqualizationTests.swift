import FacelyzrData
import FacelyzrHost
import FacelyzrQuantizer
import FacelyzrRuntime
import FacelyzrTestSupport
import FacelyzrTrainer
import Testing

/// Cross-layer equalisation and average-pool folding (docs/quantization.md "Cross-layer
/// equalisation", "Folding an average pool"): both leave the float network's function as it was,
/// equalisation evens out the channels' ranges of each rescaled activation, and the int8 model
/// of an unevenly scaled network follows float more closely with it.
@Suite struct EqualizationTests {
    /// `tinyGraph()` with the output channels of its first two convolutions multiplied by factors
    /// from 1/30 to 30 and the next layer's weights divided by them (`equalized` with the inverse scales): the same function, with
    /// channel ranges far apart (what a per-tensor int8 activation rounds worst).
    static func unevenGraph() -> FloatGraph {
        let graph = tinyGraph()
        let pairs = graph.equalizationPairs.filter { graph.nodes[$0.second].name.hasPrefix("encoder") }
        let steps: [Float] = [30, 5.5, 1, 1 / 5.5, 1 / 30]  // 30^(1, 1/2, 0, -1/2, -1)
        let scales = pairs.map { pair in (0..<graph.nodes[pair.first].outputShape[2]).map { c in steps[c % steps.count] } }
        return graph.equalized(pairs, scales: scales)
    }

    static let images = (0..<32).map { try! SplitFaces<CalibrationSplit>(tinyFaces, limit: 32).face($0).pixels }

    /// Per output channel of node `i`, the largest |value| on `images`.
    static func channelRanges(_ graph: FloatGraph, _ i: Int) -> [Float] {
        let t = graph.forward(graph.normalize(Array(images.joined()), count: images.count))[i], c = t.shape[3]
        var m = [Float](repeating: 0, count: c)
        for (j, v) in t.values.enumerated() { m[j % c] = max(m[j % c], v.magnitude) }
        return m
    }

    /// Largest over smallest nonzero channel range.
    static func spread(_ ranges: [Float]) -> Float {
        let live = ranges.filter { $0 > 0 }
        return live.max()! / live.min()!
    }

    static func maximumHeadDifference(_ a: FloatGraph, _ b: FloatGraph) -> (difference: Float, size: Float) {
        let x = a.normalize(Array(images.joined()), count: images.count)
        let (p, q) = (a.headOutputs(a.forward(x), batch: images.count), b.headOutputs(b.forward(x), batch: images.count))
        let difference = zip(p.joined(), q.joined()).map { ($0 - $1).magnitude }.max()!
        return (difference, p.joined().map(\.magnitude).max()!)
    }

    @Test func pairsAreTheReLULayersReadOnceByAWeightedLayer() {
        let graph = tinyGraph()
        let names = graph.equalizationPairs.map { "\(graph.nodes[$0.first].name)>\(graph.nodes[$0.second].name)" }
        // conv -> max pool -> conv, conv -> average pool -> conv, and each head's hidden layer -> its output;
        // not the last convolution, whose global average pool the three heads read.
        #expect(names == ["encoder.0>encoder.2", "encoder.2>encoder.4", "heads.gender.0>heads.gender.2",
                          "heads.age.0>heads.age.1", "heads.attributes.0>heads.attributes.1"])
    }

    @Test func equalisingKeepsTheFunctionAndEvensTheRanges() {
        let uneven = Self.unevenGraph()
        let equalized = uneven.equalized(on: Self.images)
        let (difference, size) = Self.maximumHeadDifference(uneven, equalized)
        #expect(difference <= 1e-5 * max(size, 1), "head outputs moved by \(difference)")
        for pair in uneven.equalizationPairs where uneven.nodes[pair.second].name.hasPrefix("encoder") {
            let before = Self.spread(Self.channelRanges(uneven, pair.first))
            let after = Self.spread(Self.channelRanges(equalized, pair.first))
            #expect(before > 100 && after < before / 10, "\(uneven.nodes[pair.first].name): channel ranges \(before)x apart, then \(after)x")
        }
    }

    /// A depthwise convolution without activation (BlazeFace's, before each pointwise one) pairs
    /// with the convolution that reads it; one with a clipping activation never does (`relu6(x / s)`
    /// is not `relu6(x) / s`), nor a depthwise one read by another depthwise one. Equalised with
    /// one depthwise filter far larger than the others (as BlazeFace's last has), the function is
    /// the same and the depthwise output's channel ranges come closer.
    @Test func aDepthwiseConvolutionWithoutActivationIsEqualisedWithTheConvolutionThatReadsIt() throws {
        let graph = try DepthwiseQuantizationTests.depthwiseGraph()
        let names = graph.equalizationPairs.map { "\(graph.nodes[$0.first].name)>\(graph.nodes[$0.second].name)" }
        #expect(names.contains("dw2>encoder.2") && !names.contains { $0.hasPrefix("encoder.0>") || $0.hasPrefix("dw1>") }, "\(names)")
        let dw2 = try #require(graph.nodes.firstIndex { $0.name == "dw2" })
        var clipped = graph
        clipped.nodes[dw2].activation = .relu6
        #expect(!clipped.equalizationPairs.contains { $0.first == dw2 })

        // Filter 0 of dw2 made 30 times larger, and the weights reading its channel 30 times smaller.
        let pair = try #require(graph.equalizationPairs.first { $0.first == dw2 })
        let channels = graph.nodes[dw2].outputShape[2]
        let uneven = graph.equalized([pair], scales: [[1 / 30] + [Float](repeating: 1, count: channels - 1)])
        let equalized = uneven.equalized(on: Self.images)
        let (difference, size) = Self.maximumHeadDifference(uneven, equalized)
        #expect(difference <= 1e-5 * max(size, 1), "head outputs moved by \(difference)")
        let before = Self.spread(Self.channelRanges(uneven, dw2)), after = Self.spread(Self.channelRanges(equalized, dw2))
        #expect(before > 30 && after < before / 10, "dw2: channel ranges \(before)x apart, then \(after)x")
    }

    @Test func equalisationBringsInt8CloserToFloat() throws {
        let graph = Self.unevenGraph()
        let calibration = SplitFaces<CalibrationSplit>(tinyFaces, limit: 48)
        let test = SplitFaces<TestSplit>(tinyFaces, limit: 32)
        func meanDifference(_ equalization: Bool) throws -> Float {
            let model = try Quantizer.quantize(graph, name: "tiny", calibration: calibration,
                                               options: QuantizationOptions(method: .minMax, equalization: equalization))
            #expect(model.options.contains("cross-layer equalisation") == equalization)
            var total: Float = 0
            try withModel(model.bytes) { blob in
                for i in 0..<test.count {
                    let pixels = try test.face(i).pixels
                    let float = graph.headOutputs(graph.forward(graph.normalize(pixels, count: 1)), batch: 1)[0]
                    let int8 = run(blob, pixels, layerOutputs: false).outputs
                    for o in float.indices { total += (Float(int8[o]) * blob.outputScale(o) - float[o]).magnitude }
                }
            }
            return total / Float(test.count)
        }
        let (without, with) = (try meanDifference(false), try meanDifference(true))
        #expect(with < without / 2, "mean |int8 - float| of the head outputs: \(with) with equalisation, \(without) without")
    }

    @Test func foldingTheAveragePoolKeepsTheFunction() throws {
        let graph = tinyGraph()
        #expect(graph.foldableAveragePools.map { graph.nodes[$0].name } == ["encoder.3"])
        let folded = try graph.foldingAveragePools()
        #expect(folded.nodes.count == graph.nodes.count - 1 && !folded.nodes.contains { $0.name == "encoder.3" })
        let conv = folded.nodes.firstIndex { $0.name == "encoder.4" }!
        guard case .conv2D(let g) = folded.nodes[conv].kind else { Issue.record("encoder.4 is not a convolution"); return }
        // 2x2/2 average pool + 3x3 same convolution = 6x6/2 same convolution on the pool's input.
        #expect(g.kernelHeight == 6 && g.kernelWidth == 6 && g.stride == 2 && g.padTop == 2 && g.padLeft == 2)
        #expect(folded.nodes[conv].input == graph.nodes[graph.nodes.firstIndex { $0.name == "encoder.3" }!].input)
        let (difference, size) = Self.maximumHeadDifference(graph, folded)
        #expect(difference <= 1e-5 * max(size, 1), "head outputs moved by \(difference)")
        let model = try Quantizer.quantize(folded, name: "tiny-folded", calibration: SplitFaces(tinyFaces, limit: 24),
                                           options: QuantizationOptions(method: .minMax))
        try withModel(model.bytes) { blob in
            #expect(blob.formatVersion == 3 && blob.op(conv).kind == .conv2D)
        }
    }
}

import FacelyzrData
import FacelyzrHost
import FacelyzrQuantizer
import FacelyzrRandom
import FacelyzrRuntime
import FacelyzrTestSupport
import FacelyzrTrainer
import Testing

/// A head over a convolution's outputs (a detector's score and box maps) goes through the
/// quantizer as a per-place head (format version 4): the float graph runs it as a dense layer at
/// every place, the blob as the runtime's per-place head, and its int8 outputs follow float.
@Suite struct PerPlaceHeadQuantizationTests {
    /// `tinyGraph()`'s first two nodes (a convolution and a 2x2/2 pool) with a score head (2
    /// anchors) and a box head (4 values) at every place of the pooled map.
    static func detectorGraph() throws -> FloatGraph {
        let tiny = tinyGraph()
        var random = SplitMix64(seed: 17, index: 0)
        let map = tiny.nodes[1].outputShape
        func head(_ name: String, _ index: Int, outputs: Int) -> FloatGraph.Node {
            FloatGraph.Node(
                name: name, kind: .headOutput(head: index), input: 1, outputShape: [map[0], map[1], outputs],
                weight: Tensor(shape: [outputs, map[2]], values: (0..<(outputs * map[2])).map { _ in random.uniform(-0.5, 0.5) }),
                bias: Tensor(shape: [outputs], values: (0..<outputs).map { _ in random.uniform(-0.2, 0.2) }), activation: .none)
        }
        let places = map[0] * map[1]
        return try FloatGraph(
            inputShape: tiny.inputShape, inputScale: tiny.inputScale,
            nodes: [tiny.nodes[0], tiny.nodes[1], head("scores", 0, outputs: 2), head("boxes", 1, outputs: 4)],
            heads: [FloatGraph.Head(name: "scores", kind: .raw, labels: Array((0..<places).map { _ in ["a0", "a1"] }.joined())),
                    FloatGraph.Head(name: "boxes", kind: .raw, labels: Array((0..<places).map { _ in ["x", "y", "w", "h"] }.joined()))])
    }

    @Test(arguments: [WeightRounding.nearest, .gptq])
    func aHeadOverAMapBecomesAPerPlaceHeadThatFollowsFloat(weightRounding: WeightRounding) throws {
        let graph = try Self.detectorGraph()
        #expect(graph.nodes[2].isPerPlaceHead && graph.nodes[3].isPerPlaceHead)
        let map = graph.nodes[1].outputShape, places = map[0] * map[1]
        // Float: the head at place p is the dense layer of that pixel's channels.
        let pixels = TestModels.pixels(16 * 16 * 3)
        let float = graph.forward(graph.normalize(pixels, count: 1))
        let p = places - 1, x = Array(float[1].values[(p * map[2])..<((p + 1) * map[2])])
        let w = graph.nodes[2].weight!.values, b = graph.nodes[2].bias!.values
        let expected = (0..<2).map { o in b[o] + (0..<map[2]).reduce(Float(0)) { $0 + w[o * map[2] + $1] * x[$1] } }
        for o in 0..<2 { #expect(abs(float[2].values[p * 2 + o] - expected[o]) < 1e-4) }

        let model = try Quantizer.quantize(graph, name: "tiny-detector", calibration: SplitFaces(tinyFaces, limit: 48),
                                           options: QuantizationOptions(method: .mse, biasCorrection: .on, weightRounding: weightRounding))
        #expect(model.layers[2].op == "fullyConnectedAccumulators")
        try withModel(model.bytes) { blob in
            #expect(blob.formatVersion == 4 && blob.outputCount == places * 6)
            #expect(blob.op(2).isPerPlace && blob.op(3).isPerPlace)
        }
        // Head outputs against float on faces the calibration did not see.
        let loaded = try LoadedModel(bytes: model.bytes)
        let test = SplitFaces<TestSplit>(tinyFaces, limit: 16)
        var floatValues: [Float] = [], int8Values: [Float] = []
        for i in 0..<test.count {
            let face = try test.face(i).pixels
            floatValues += graph.headOutputs(graph.forward(graph.normalize(face, count: 1)), batch: 1)[0]
            int8Values += loaded.headOutputs(face)
        }
        #expect(floatValues.count == 16 * places * 6)
        // A wrong place order, weight layout or bias would be near 0 dB.
        let sqnr = SQNR.decibels(signal: floatValues, approximation: int8Values)
        #expect(sqnr > 28, "per-place heads: SQNR \(sqnr) dB against float")
    }
}

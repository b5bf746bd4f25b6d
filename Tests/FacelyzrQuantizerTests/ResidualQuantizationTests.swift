import FacelyzrData
import FacelyzrHost
import FacelyzrQuantizer
import FacelyzrRuntime
import FacelyzrTestSupport
import FacelyzrTrainer
import Testing

/// A float graph with a residual block goes through the quantizer: the add's output range is
/// calibrated like any activation, the blob holds a runtime add (format v2), and int8 follows float.
@Suite struct ResidualQuantizationTests {
    /// `tinyGraph()` (conv, max pool, conv, average pool, conv, global average pool, heads) with
    /// the last convolution made a residual branch: `relu(avgpool + conv(avgpool))`, then zero
    /// padded by a row, a column and 4 channels before the global average pool.
    static func residualGraph() throws -> FloatGraph {
        let tiny = tinyGraph()
        let branch = tiny.nodes.firstIndex { $0.name == "encoder.4" }!
        #expect(tiny.nodes[branch].input == branch - 1 && tiny.nodes[branch - 1].outputShape == tiny.nodes[branch].outputShape)
        var nodes = Array(tiny.nodes[...branch])
        nodes.append(FloatGraph.Node(
            name: "encoder.4.add", kind: .add, input: branch - 1, secondInput: branch,
            outputShape: tiny.nodes[branch].outputShape, activation: .relu))
        // A zero pad of a row and column after and 4 channels after, as the age net's blocks pad.
        let s = tiny.nodes[branch].outputShape
        nodes.append(FloatGraph.Node(
            name: "encoder.4.pad", kind: .pad(top: 0, left: 0, channelsBefore: 0), input: branch + 1,
            outputShape: [s[0] + 1, s[1] + 1, s[2] + 4], activation: .none))
        for var node in tiny.nodes[(branch + 1)...] {
            node.input = node.input.map { $0 >= branch ? $0 + 2 : $0 }
            if node.kind == .globalAveragePool { node.outputShape = [1, 1, s[2] + 4] }
            if node.kind == .dense, node.weight!.shape[1] == s[2] {  // the heads' hidden layers read 4 more features: zero weights
                node.weight = Tensor(shape: [node.weight!.shape[0], s[2] + 4], values: (0..<node.weight!.shape[0]).flatMap { o in
                    Array(node.weight!.values[(o * s[2])..<((o + 1) * s[2])]) + [0, 0, 0, 0]
                })
            }
            nodes.append(node)
        }
        return try FloatGraph(inputShape: tiny.inputShape, inputScale: tiny.inputScale, nodes: nodes, heads: tiny.heads)
    }

    @Test func forwardAddsTheTwoOperands() throws {
        let graph = try Self.residualGraph()
        let add = graph.nodes.firstIndex { $0.kind == .add }!
        let outputs = graph.forward(graph.normalize(TestModels.pixels(2 * 16 * 16 * 3), count: 2))
        let (a, b) = (outputs[graph.nodes[add].input!], outputs[graph.nodes[add].secondInput!])
        #expect(outputs[add].values == zip(a.values, b.values).map { max($0 + $1, 0) })
        #expect(outputs[add].values.contains { $0 > 0 })
    }

    @Test func quantizedBlobAddsAndFollowsFloat() throws {
        let graph = try Self.residualGraph()
        let model = try Quantizer.quantize(graph, name: "tiny-residual", calibration: SplitFaces(tinyFaces, limit: 48),
                                           options: QuantizationOptions(method: .mse))
        let add = graph.nodes.firstIndex { $0.kind == .add }!
        let report = model.layers[add]
        #expect(report.op == "add" && report.outputZeroPoint == -128 && (report.outputScale ?? 0) > 0)
        #expect(model.layers[add + 1].op == "pad")
        try withModel(model.bytes) { blob in
            #expect(blob.formatVersion == 2)
            #expect(blob.op(add).kind == .add && blob.op(add + 1).kind == .pad)
            // Head outputs of int8 and float on faces the calibration did not see.
            let test = SplitFaces<TestSplit>(tinyFaces, limit: 32)
            var agree = 0, total = 0
            var ageDifference: Float = 0
            for i in 0..<test.count {
                let pixels = try test.face(i).pixels
                let float = graph.headOutputs(graph.forward(graph.normalize(pixels, count: 1)), batch: 1)[0]
                let int8 = run(blob, pixels, layerOutputs: false).outputs
                for o in 0..<blob.outputCount where blob.head(0).kind == .binary && o == 0 {
                    total += 1
                    if (float[o] > 0) == (Float(int8[o]) * blob.outputScale(o) > 0) { agree += 1 }
                }
                ageDifference += abs(Float(int8[1]) * blob.outputScale(1) - float[1])
            }
            #expect(agree >= total - 2, "gender decisions: \(agree) of \(total) agree")
            // The age output (regression, 20 years per unit of the random head) close to float.
            #expect(ageDifference / Float(test.count) < 0.75, "mean |int8 - float| age \(ageDifference / Float(test.count))")
        }
    }

    /// `--activation-bits 16` (docs/quantization.md section 11): every activation after the input
    /// int16 (format v5, the 16x8 ops), and the head outputs closer to float than with int8.
    @Test func sixteenBitActivationsFollowFloatCloser() throws {
        let graph = try Self.residualGraph()
        let test = SplitFaces<TestSplit>(tinyFaces, limit: 32)
        var difference = [Int: Float]()
        for bits in [8, 16] {
            let model = try Quantizer.quantize(graph, name: "tiny-residual", calibration: SplitFaces(tinyFaces, limit: 48),
                                               options: QuantizationOptions(method: .minMax, activationBits: bits))
            try withModel(model.bytes) { blob in
                #expect(blob.formatVersion == (bits == 16 ? 5 : 2))
                let int16 = (0..<blob.tensorCount).filter { blob.tensor($0).layout == .nhwcInt16 }
                #expect(int16.count == (bits == 16 ? blob.tensorCount - 1 : 0))  // all but the pixels
                var total: Float = 0
                for i in 0..<test.count {
                    let pixels = try test.face(i).pixels
                    let float = graph.headOutputs(graph.forward(graph.normalize(pixels, count: 1)), batch: 1)[0]
                    let quantized = run(blob, pixels, layerOutputs: false).outputs
                    #expect(run(blob, pixels, Reference.self, layerOutputs: false).outputs == quantized)
                    for o in 0..<blob.outputCount { total += abs(Float(quantized[o]) * blob.outputScale(o) - float[o]) }
                }
                difference[bits] = total / Float(test.count * blob.outputCount)
            }
        }
        // Half of 8-bit's here (int8 weights stay): 0.015 against 0.031.
        #expect(difference[16]! < difference[8]! * 0.75, "mean |quantized - float| per head output: \(difference)")
    }
}

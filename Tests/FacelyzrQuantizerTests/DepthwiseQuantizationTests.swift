import FacelyzrData
import FacelyzrHost
import FacelyzrQuantizer
import FacelyzrRandom
import FacelyzrRuntime
import FacelyzrTestSupport
import FacelyzrTrainer
import Testing

/// Depthwise 3x3 convolutions (BlazeFace's, MobileNet's) go through the quantizer as the
/// runtime's depthwiseConv2D: calibrated like any convolution, weights per channel in the
/// runtime's HWC layout, int8 following float.
@Suite struct DepthwiseQuantizationTests {
    /// `tinyGraph()` with a depthwise 3x3/1 same + ReLU after its first convolution and its first
    /// 2x2/2 max pool replaced by a depthwise 3x3/2 same (TensorFlow's pads: none before, one after).
    static func depthwiseGraph(identity: Bool = false) throws -> FloatGraph {
        let tiny = tinyGraph()
        var random = SplitMix64(seed: 16, index: 0)
        func depthwise(_ name: String, input: Int, shape: [Int], stride: Int, activation: Activation) -> FloatGraph.Node {
            let g = Conv2DGeometry(inputHeight: shape[0], inputWidth: shape[1], inputChannels: shape[2], outputChannels: shape[2],
                                   kernelHeight: 3, kernelWidth: 3, stride: stride, padding: .same)
            let weights = (0..<(shape[2] * 9)).map { identity ? ($0 % 9 == 4 ? 1 : 0) : random.uniform(-0.6, 0.6) }
            return FloatGraph.Node(
                name: name, kind: .depthwiseConv2D(g), input: input, outputShape: [g.outputHeight, g.outputWidth, shape[2]],
                weight: Tensor(shape: [shape[2], 3, 3, 1], values: weights),
                bias: Tensor(shape: [shape[2]], values: (0..<shape[2]).map { _ in identity ? 0 : random.uniform(-0.1, 0.1) }), activation: activation)
        }
        var nodes = [tiny.nodes[0], depthwise("dw1", input: 0, shape: tiny.nodes[0].outputShape, stride: 1, activation: identity ? .none : .relu)]
        var replaced = false
        for var node in tiny.nodes.dropFirst() {
            node.input = node.input.map { $0 + 1 }
            node.secondInput = node.secondInput.map { $0 + 1 }
            if !replaced, node.kind == .maxPool(size: 2, stride: 2), !identity {
                let d = depthwise("dw2", input: node.input!, shape: nodes[node.input!].outputShape, stride: 2, activation: .none)
                #expect(d.outputShape == node.outputShape)
                node = d
                replaced = true
            }
            nodes.append(node)
        }
        #expect(replaced || identity)
        return try FloatGraph(inputShape: tiny.inputShape, inputScale: tiny.inputScale, nodes: nodes, heads: tiny.heads)
    }

    @Test func aDepthwiseOfTheCentreTapIsTheIdentity() throws {
        let graph = try Self.depthwiseGraph(identity: true)
        let outputs = graph.forward(graph.normalize(TestModels.pixels(2 * 16 * 16 * 3), count: 2))
        #expect(outputs[1].values == outputs[0].values)
        #expect(outputs[1].values.contains { $0 != 0 })
    }

    @Test(arguments: [WeightRounding.nearest, .gptq])
    func quantizedBlobHoldsRuntimeDepthwiseOpsAndFollowsFloat(weightRounding: WeightRounding) throws {
        let graph = try Self.depthwiseGraph()
        let model = try Quantizer.quantize(graph, name: "tiny-depthwise", calibration: SplitFaces(tinyFaces, limit: 48),
                                           options: QuantizationOptions(method: .mse, biasCorrection: .on, weightRounding: weightRounding))
        let depthwise = graph.nodes.indices.filter { if case .depthwiseConv2D = graph.nodes[$0].kind { true } else { false } }
        #expect(depthwise.count == 2)
        #expect(depthwise.allSatisfy { model.layers[$0].op == "depthwiseConv2D" && model.layers[$0].outputScale ?? 0 > 0 })
        try withModel(model.bytes) { blob in
            #expect(depthwise.allSatisfy { blob.op($0).kind == .depthwiseConv2D })
        }
        // Every depthwise layer's int8 output and the head's decision against float, on faces the
        // calibration did not see.
        let loaded = try LoadedModel(bytes: model.bytes)
        let test = SplitFaces<TestSplit>(tinyFaces, limit: 16)
        var agree = 0
        var floatValues = [[Float]](repeating: [], count: depthwise.count), int8Values = floatValues
        for i in 0..<test.count {
            let pixels = try test.face(i).pixels
            let float = graph.forward(graph.normalize(pixels, count: 1))
            let int8 = loaded.predictLayers(pixels)
            for (k, d) in depthwise.enumerated() {
                floatValues[k] += float[d].values
                int8Values[k] += int8.layers[d]
            }
            if (graph.headOutputs(float, batch: 1)[0][0] > 0) == (int8.outputs[0] > 0) { agree += 1 }
        }
        // About 6 dB per bit: int8 after two int8 layers keeps 5 bits or more; a wrong weight
        // layout or bias would be near 0 dB.
        for (k, d) in depthwise.enumerated() {
            let sqnr = SQNR.decibels(signal: floatValues[k], approximation: int8Values[k])
            #expect(sqnr > 28, "layer \(graph.nodes[d].name): SQNR \(sqnr) dB against float")
        }
        #expect(agree >= test.count - 1, "binary decisions: \(agree) of \(test.count) agree")
    }
}

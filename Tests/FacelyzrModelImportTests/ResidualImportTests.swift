import FacelyzrData
import FacelyzrHost
import FacelyzrModelImport
import FacelyzrQuantizer
import FacelyzrRuntime
import FacelyzrTestSupport
import Foundation
import Testing

/// An ONNX net with two residual blocks (tools/model-import/make_fixtures.py, residual-add.onnx):
/// its adds of two activations map to the quantizer's add nodes, the float graph equals ONNX
/// Runtime, and the int8 blob (format v2, runtime adds) follows it.
@Suite struct ResidualImportTests {
    static let expected = try! ExpectedOutputs.load("residual-add.onnx", from: fixtures + "/expected-residual-add.json")

    static func mapping() throws -> QuantizerMapping {
        let graph = try ONNXImport.read(path: fixtures + "/residual-add.onnx")
        #expect(graph.nodes.map(\.op.summary) == [
            "conv 3x3/1 pads [1, 1, 1, 1]", "conv 3x3/1 pads [1, 1, 1, 1]", "conv 3x3/1 pads [1, 1, 1, 1]", "add",
            "maxPool 2x2/2", "conv 3x3/1 pads [1, 1, 1, 1]", "add", "globalAveragePool", "dense", "softmax",
        ])
        let p = expected.preprocessing
        return graph.quantizerMapping(
            preprocessing: InputPreprocessing(mean: p.mean, scale: p.scale, bgr: p.channelOrder == "bgr"),
            head: HeadDescription(name: "gender", labels: ["female", "male"]))
    }

    /// log(p1 / p0) of ONNX Runtime's probabilities: the one logit a two-class softmax becomes.
    static var referenceLogits: [Float] { expected.outputs.map { Float(log($0[1] / $0[0])) } }

    @Test func addsMapToTheQuantizersAddNodesAndTheFloatGraphMatchesONNXRuntime() throws {
        let mapping = try Self.mapping()
        #expect(mapping.blockers.isEmpty, "\(mapping.blockers)")
        #expect(mapping.checkpoint == nil && mapping.chain != nil)
        #expect(mapping.residualAdds.map(\.node) == ["block1_add", "block2_add"])
        #expect(mapping.notes.contains { $0.contains("2 residual adds") })
        let graph = try mapping.floatGraph()
        // conv, conv, conv, add (skip: node 0), max pool, conv, add (skip: the pool), GAP, head.
        #expect(graph.nodes.map(\.kind) == [graph.nodes[0].kind, graph.nodes[1].kind, graph.nodes[2].kind, .add, .maxPool2x2,
                                            graph.nodes[5].kind, .add, .globalAveragePool, .headOutput(head: 0)])
        #expect(graph.nodes[3].secondInput == 0 && graph.nodes[6].secondInput == 4)
        #expect(graph.nodes[3].activation == .relu && graph.nodes[6].activation == .relu)
        let count = Self.expected.pixels.count
        let logits = graph.headOutputs(graph.forward(graph.normalize(Self.expected.pixels.flatMap { $0 }, count: count)), batch: count)
        for (logit, reference) in zip(logits, Self.referenceLogits) {
            #expect(abs(logit[0] - reference) < 1e-4, "logit \(logit[0]) vs ONNX Runtime's \(reference)")
        }
        #expect(Set(logits.map { ($0[0] * 1000).rounded() }).count == count)
    }

    @Test func theInt8BlobFollowsFloatAndONNXRuntime() throws {
        let graph = try Self.mapping().floatGraph()
        let model = try Quantizer.quantize(graph, name: "residual-add", calibration: SplitFaces(tinyFaces, limit: 64),
                                           options: QuantizationOptions(method: .auto, biasCorrection: .auto))
        try withModel(model.bytes) { blob in
            #expect(blob.formatVersion == 2)
            #expect((0..<blob.opCount).filter { blob.op($0).kind == .add } == [3, 6])
            let int8Logit = { (pixels: [UInt8]) in Float(run(blob, pixels, layerOutputs: false).outputs[0]) * blob.outputScale(0) }
            // The fixture's random images: int8 against ONNX Runtime.
            for (pixels, reference) in zip(Self.expected.pixels, Self.referenceLogits) {
                let logit = int8Logit(pixels)
                #expect(abs(logit - reference) < 0.1 * max(1, abs(reference)), "int8 logit \(logit) vs ONNX Runtime's \(reference)")
                #expect((logit > 0) == (reference > 0))
            }
            // Synthetic faces the calibration did not see: int8 against the float graph.
            let test = SplitFaces<TestSplit>(tinyFaces, limit: 200)
            var agree = 0
            var difference: Float = 0
            for i in 0..<test.count {
                let pixels = try test.face(i).pixels
                let float = graph.headOutputs(graph.forward(graph.normalize(pixels, count: 1)), batch: 1)[0][0]
                let logit = int8Logit(pixels)
                if (logit > 0) == (float > 0) { agree += 1 }
                difference += abs(logit - float)
            }
            #expect(agree >= 196, "decisions: \(agree) of \(test.count) agree")
            #expect(difference / Float(test.count) < 0.05, "mean |int8 - float| logit \(difference / Float(test.count))")
        }
    }
}

import FacelyzrModelImport
import FacelyzrRandom
import Foundation
import Testing

/// TFLite's outputs on a TFLite fixture (tools/model-import/make_tflite_fixtures.py).
struct TFLiteCase: Decodable {
    /// A random input in [-1, 1], HWC.
    var input: [Float]
    /// The model's outputs `Identity` and `Identity_1`: blazeface-blocks.tflite's scores `[1, 56, 1]`
    /// and boxes `[1, 56, 4]`; classifier.tflite's softmax over 3 classes and logistic score.
    var first: [Float]
    var second: [Float]

    enum CodingKeys: String, CodingKey {
        case input
        case first = "Identity"
        case second = "Identity_1"
    }

    /// The cases of `fixture` in expected-tflite.json.
    static func load(_ fixture: String) throws -> [TFLiteCase] {
        let data = try Data(contentsOf: URL(fileURLWithPath: fixtures + "/expected-tflite.json"))
        return try #require(try JSONDecoder().decode([String: [TFLiteCase]].self, from: data)[fixture])
    }
}

@Suite struct TFLiteImportTests {
    static let blocks = fixtures + "/blazeface-blocks.tflite"

    @Test func blazeFacesOpsImportWithFloat16WeightsAndMatchTFLite() throws {
        let graph = try TFLiteImport.read(path: Self.blocks)
        #expect(graph.format == .tflite(schemaVersion: 3))
        #expect(graph.input.shape == [16, 16, 3])
        #expect(graph.nodes.map(\.op.summary) == [
            "conv 5x5/2 pads [1, 1, 2, 2]", "conv 3x3/1 pads [1, 1, 1, 1] group 8", "conv 1x1/1", "add", "maxPool 2x2/2",
            "pad [0, 0, 0, 0, 0, 4]", "conv 3x3/2 pads [0, 0, 1, 1] group 8", "conv 1x1/1", "add",
            "conv 1x1/1", "conv 1x1/1", "maxPool 2x2/2", "conv 1x1/1", "conv 1x1/1",
        ])
        #expect(graph.nodes.map(\.activation) == [.relu, .none, .none, .relu, .none, .none, .none, .none, .relu, .none, .none, .none, .none, .none])
        #expect(graph.nodes[3].inputs == [0, 2] && graph.nodes[8].inputs == [5, 7])
        // The heads' reshapes and concatenations are the outputs' layout: pieces of rows, in order.
        let outputs = graph.outputs.map { "\($0.name) <- \(graph.nodes[$0.node].outputShape)" }
        #expect(outputs == ["Identity[0..<32] <- [4, 4, 2]", "Identity[32..<56] <- [2, 2, 6]",
                            "Identity_1[0..<32] <- [4, 4, 8]", "Identity_1[32..<56] <- [2, 2, 24]"])

        // The whole graph maps onto the quantizer, depthwise convolutions and raw heads included (DetectorImportTests).
        let mapping = graph.quantizerMapping(preprocessing: .standard, head: HeadDescription(name: "output", labels: nil))
        #expect(mapping.blockers.isEmpty, "\(mapping.blockers)")

        for case_ in try TFLiteCase.load("blazeface-blocks.tflite") {
            let values = graph.forward(case_.input)
            let pieces = graph.outputs.map { values[$0.node] }
            let scores = pieces[0] + pieces[1], boxes = pieces[2] + pieces[3]
            #expect(scores.count == case_.first.count && boxes.count == case_.second.count)
            let error = zip(scores + boxes, case_.first + case_.second).map { abs($0 - $1) }.max()!
            #expect(error < 1e-4, "largest difference from TFLite \(error)")
        }
    }

    /// A Keras-style classifier's ops: LEAKY_RELU, PRELU, MEAN over height and width, a flatten,
    /// FULLY_CONNECTED (its HWC-ordered weights), SOFTMAX and LOGISTIC, equal to TFLite's outputs.
    @Test func aClassifiersDenseLayersSoftmaxAndActivationsImportAndMatchTFLite() throws {
        let graph = try TFLiteImport.read(path: fixtures + "/classifier.tflite")
        #expect(graph.format == .tflite(schemaVersion: 3) && graph.producer == "MLIR Converted.")
        #expect(graph.nodes.map(\.op.summary) == [
            "conv 3x3/1 pads [1, 1, 1, 1]", "leakyRelu 0.1", "conv 3x3/2 pads [0, 0, 1, 1]", "prelu",
            "globalAveragePool", "dense", "softmax", "dense", "dense", "sigmoid",
        ], "\(graph.nodes.map(\.op.summary))")
        #expect(graph.nodes.map(\.activation) == [.none, .none, .none, .none, .none, .none, .none, .relu, .none, .none])
        #expect(graph.outputs.map(\.name) == ["Identity", "Identity_1"])
        for case_ in try TFLiteCase.load("classifier.tflite") {
            let values = graph.forward(case_.input)
            let classes = values[graph.outputs[0].node], score = values[graph.outputs[1].node]
            #expect(classes.count == 3 && score.count == 1)
            let error = zip(classes + score, case_.first + case_.second).map { abs($0 - $1) }.max()!
            #expect(error < 1e-5, "largest difference from TFLite \(error)")
        }
    }

    @Test func anOpWithoutImportIsATypedErrorNamingTheNode() throws {
        let path = fixtures + "/tanh.tflite"
        do {
            _ = try TFLiteImport.read(path: path)
            Issue.record("tanh imported")
        } catch {
            #expect(error.reason == .unsupportedOp(op: "TANH", reason: "no import for this op (docs/model-import.md lists the supported ones)"))
            #expect(error.node != nil)
        }
    }

    @Test func aQuantizedModelIsRefusedAtItsInput() {
        let path = fixtures + "/int8.tflite"
        #expect(throws: ModelImportError(file: path, reason: .unsupportedTensor(
            tensor: "input", reason: "the graph input has element type INT8, not FLOAT32 (a quantized model; float models are imported, and quantized here)"))) {
            try TFLiteImport.read(path: path)
        }
    }

    @Test func bytesThatAreNotATFLiteFlatbufferAreMalformed() {
        for bytes in [[], Array("not a flatbuffer at all".utf8), [UInt8](repeating: 0xff, count: 64)] as [[UInt8]] {
            do {
                _ = try TFLiteImport.read(bytes: bytes, file: "x.tflite")
                Issue.record("garbage imported")
            } catch {
                #expect(error.description.hasPrefix("x.tflite: malformed TFLite model: not a TFLite flatbuffer"), "\(error)")
            }
        }
    }

    /// The model table's first field is the schema version; a file saying 2 or 4 is refused by
    /// name, not read with version 3's meaning.
    @Test(arguments: [2, 4] as [UInt32])
    func aSchemaVersionOtherThan3IsRefused(version: UInt32) throws {
        var bytes = Array(try Data(contentsOf: URL(fileURLWithPath: Self.blocks)))
        func u32(_ at: Int) -> Int { (0..<4).reduce(0) { $0 | Int(bytes[at + $1]) << (8 * $1) } }
        let root = u32(0)
        let vtable = root - Int(Int32(truncatingIfNeeded: u32(root)))
        let field = root + (Int(bytes[vtable + 4]) | Int(bytes[vtable + 5]) << 8)
        #expect(u32(field) == 3)
        for k in 0..<4 { bytes[field + k] = UInt8(truncatingIfNeeded: version >> (8 * UInt32(k))) }
        let expected = ModelImportError(file: "v.tflite", reason: .schemaVersionOutOfRange(found: Int64(version), supported: 3...3))
        #expect(throws: expected) { try TFLiteImport.read(bytes: bytes, file: "v.tflite") }
        #expect(expected.description == "v.tflite: TFLite schema version \(version) is outside the supported range 3...3")
    }

    @Test func everyTruncationOfAValidModelIsAnError() throws {
        let bytes = Array(try Data(contentsOf: URL(fileURLWithPath: Self.blocks)))
        for end in stride(from: 0, to: bytes.count, by: 5) {
            #expect(throws: ModelImportError.self) { try TFLiteImport.read(bytes: Array(bytes[..<end]), file: "cut.tflite") }
        }
    }

    /// Random byte changes: the verifier or the importer refuses most, the rest import; none crashes.
    @Test func corruptedModelsImportOrFailWithATypedError() throws {
        let bytes = Array(try Data(contentsOf: URL(fileURLWithPath: Self.blocks)))
        var random = SplitMix64(seed: 16, index: 0)
        var refused = 0
        for _ in 0..<2000 {
            var mutant = bytes
            for _ in 0..<(1 + Int(random.next() % 4)) {
                mutant[Int(random.next() % UInt64(bytes.count))] = UInt8(truncatingIfNeeded: random.next())
            }
            do { _ = try TFLiteImport.read(bytes: mutant, file: "mutant.tflite") } catch { refused += 1 }
        }
        #expect(refused > 0)
    }
}

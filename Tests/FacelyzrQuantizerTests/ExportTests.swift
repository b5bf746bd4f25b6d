import FacelyzrBlobBuilder
import FacelyzrData
import FacelyzrFiles
import FacelyzrHost
import FacelyzrQuantizer
import FacelyzrRuntime
import FacelyzrTestSupport
import FacelyzrTrainer
import Foundation
import Testing

@Suite struct ExportTests {
    /// A card lists only the limitations that apply: a face / not-face model exported without an
    /// evaluation has no gender, skin-tone or accuracy lines; the face model keeps all four.
    @Test func limitationsFollowTheHeadsAndTheEvaluation() {
        let detector = ModelCard.limitations(heads: ["face"], evaluated: false)
        #expect(detector.count == 1 && detector[0].hasPrefix("Trained on synthetic faces"))
        let face = ModelCard.limitations(heads: ["gender", "age", "attributes"], evaluated: true)
        #expect(face.count == 4 && face[1].hasPrefix("Gender labels") && face[3].hasPrefix("Accuracy figures"))
    }

    @Test func quantizedBlobOpensAndTracksTheFloatNetwork() throws {
        let graph = tinyGraph()
        let quantized = try Quantizer.quantize(graph, name: "tiny", calibration: SplitFaces(tinyFaces, limit: 64),
                                               options: QuantizationOptions(method: .auto, autoImageCount: 16))
        let int8 = try LoadedModel(bytes: quantized.bytes)
        let m = int8.model
        #expect(m.input.scale == 1.0 / 128 && m.input.zeroPoint == 0 && m.input.pixelFormat == .rgb8)
        #expect(int8.headLayout == graph.headLayout)
        #expect(int8.headLayout.map(\.kind) == [.binary, .regression, .multiLabel])
        for i in 0..<m.opCount {
            let op = m.op(i)
            switch op.kind {
            case .conv2D: #expect(op.rounding == .double && op.outputMin == m.tensor(op.output).zeroPoint, "ReLU fused as a clamp")
            case .fullyConnected: #expect(op.rounding == .single)
            case .maxPool2x2, .averagePool2x2, .globalAveragePool:
                #expect(m.tensor(op.output).scale == m.tensor(op.input).scale)
            default: break
            }
        }
        // Held-out faces: int8 head outputs (logits, years) against float.
        let set = try EvaluationSet(SplitFaces<TestSplit>(tinyFaces, limit: 64))
        let float = graph.predict(set.faces) { _ in }
        let q = int8.predict(set.faces) { _ in }
        let sqnr = SQNR.decibels(signal: float.flatMap { $0 }, approximation: q.flatMap { $0 })
        #expect(sqnr > 25, "int8 head outputs track float: \(sqnr) dB")
        let ageError = zip(float, q).map { abs($0[1] - $1[1]) }.max()!
        #expect(ageError < 1.5, "age in years, offset folded into the bias: worst difference \(ageError)")
    }

    @Test func quantizeWritesTheBlobAndItsModelCard() throws {
        let dir = temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        writeTinyCheckpoint(to: dir + "/tiny.safetensors")
        let card = try ModelExport.run(
            checkpointPath: dir + "/tiny.safetensors", source: tinyFaces, calibrationCount: 32, evaluationCount: 48,
            options: QuantizationOptions(method: .entropy, biasCorrection: .on), outPath: dir + "/tiny.blob")
        let bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: dir + "/tiny.blob")))
        #expect(card.blob.sha256 == sha256Hex(bytes))
        #expect(card.calibrationCount == 32)
        #expect(card.layers.compactMap(\.method).allSatisfy { $0 == "entropy" })
        #expect(card.evaluation?.faceCount == 48)
        #expect(card.evaluation?.layers?.count == 9, "every int8 op has a test SQNR")
        #expect(card.groups.map(\.group).contains("skin tone: dark") || card.groups.map(\.group).contains("skin tone: light"))
        let json = try String(contentsOfFile: dir + "/tiny.card.json", encoding: .utf8)
        let markdown = try String(contentsOfFile: dir + "/tiny.card.md", encoding: .utf8)
        #expect(json.contains(card.blob.sha256) && markdown.contains(card.blob.sha256))
        #expect(markdown.contains("binary (male/female)"))
        _ = try LoadedModel(path: dir + "/tiny.blob")
    }

    @Test func sha256MatchesTheStandardVectors() {
        #expect(sha256Hex(Array("abc".utf8)) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(sha256Hex([]) == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        #expect(sha256Hex(Array(repeating: 0x61, count: 1_000)) == "41edece42d63e8d9bf515a9ba6932e1c20cbc9f5a5d134645adb5db1b9737ea3")
    }
}

@Suite struct ExportErrorTests {
    func expectNothingWritten(_ dir: String) throws {
        let files = try FileManager.default.contentsOfDirectory(atPath: dir).filter { $0 != "tiny.safetensors" }
        #expect(files == [], "no partial blob, card or temporary file is left: \(files)")
    }

    func run(_ dir: String, calibrationCount: Int = 8) throws {
        _ = try ModelExport.run(checkpointPath: dir + "/tiny.safetensors", source: tinyFaces, calibrationCount: calibrationCount,
                                evaluationCount: 0, options: QuantizationOptions(method: .minMax), outPath: dir + "/tiny.blob")
    }

    @Test(arguments: [Float.nan, .infinity, -.infinity])
    func nonFiniteWeightsAreRefused(_ bad: Float) throws {
        let dir = temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        writeTinyCheckpoint(to: dir + "/tiny.safetensors") { $0["encoder.2.weight"]!.values[5] = bad }
        do {
            try run(dir)
            Issue.record("a non-finite weight was quantized")
        } catch let error as QuantizerError {
            guard case .nonFiniteParameter(let parameter, let index, _) = error else { Issue.record("\(error)"); return }
            #expect(parameter == "encoder.2.weight" && index == 5)
            #expect(error.description.contains("encoder.2.weight[5]"))
        }
        try expectNothingWritten(dir)
    }

    @Test func mismatchedShapesAreATypedError() throws {
        let dir = temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        writeTinyCheckpoint(to: dir + "/tiny.safetensors") { $0["heads.age.0.bias"] = Tensor(zeros: [7]) }
        #expect(throws: QuantizerError.checkpoint(.shapeMismatch(file: dir + "/tiny.safetensors", name: "heads.age.0.bias",
                                                                   expected: [8], found: [7]))) {
            try run(dir)
        }
        try expectNothingWritten(dir)
    }

    @Test func missingOutputDirectoryIsReportedBeforeQuantizing() throws {
        let dir = temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        // No checkpoint either: the output directory is checked before anything is read.
        #expect(throws: QuantizerError.file(FileError(path: dir + "/missing",
                                                      reason: "cannot write into this directory: No such file or directory"))) {
            _ = try ModelExport.run(checkpointPath: dir + "/tiny.safetensors", source: tinyFaces, calibrationCount: 8,
                                    evaluationCount: 0, options: QuantizationOptions(method: .minMax),
                                    outPath: dir + "/missing/tiny.blob")
        }
        try expectNothingWritten(dir)
    }

    @Test func emptyCalibrationSetWritesNothing() throws {
        let dir = temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        writeTinyCheckpoint(to: dir + "/tiny.safetensors")
        #expect(throws: QuantizerError.emptyCalibrationSet(source: tinyFaces.provenance)) { try run(dir, calibrationCount: 0) }
        try expectNothingWritten(dir)
    }
}

import FacelyzrBlobBuilder
import FacelyzrData
import FacelyzrHost
import FacelyzrQuantizer
import FacelyzrRuntime
import Foundation
import Testing

/// The shipped model (firmware-model/): its card, its golden set, its drift against the float
/// checkpoint, and proof that the golden check notices a changed weight or rounding rule.
@Suite struct FirmwareModelTests {
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("../../firmware-model").standardizedFileURL.path

    static let blobBytes: [UInt8] = [UInt8](FileManager.default.contents(atPath: directory + "/facelyzr.blob") ?? Data())
    static let card: ModelCard? = FileManager.default.contents(atPath: directory + "/facelyzr.card.json")
        .flatMap { try? JSONDecoder().decode(ModelCard.self, from: $0) }
    static let golden: GoldenSet? = try? GoldenSet.read(from: directory + "/golden")

    /// The runtime's int32 outputs of `bytes` on the first `count` golden inputs.
    static func outputs(_ bytes: [UInt8], count: Int) throws -> [Int32] {
        let golden = try #require(Self.golden)
        var prefix = golden
        prefix.manifest.count = count
        return prefix.runOutputs(try LoadedModel(bytes: bytes))
    }

    @Test func blobChecksumMatchesItsCard() throws {
        let card = try #require(Self.card, "firmware-model/facelyzr.card.json")
        #expect(!Self.blobBytes.isEmpty)
        #expect(card.blob.byteCount == Self.blobBytes.count)
        #expect(card.blob.sha256 == sha256Hex(Self.blobBytes))
        let golden = try #require(Self.golden)
        #expect(golden.manifest.blobSHA256 == card.blob.sha256)
    }

    @Test func goldenSetIsComplete() throws {
        let golden = try #require(Self.golden, "firmware-model/golden (GoldenSet.read checks every file's SHA-256)")
        #expect(golden.manifest.count >= 512)
        #expect(golden.labels.allSatisfy { $0.gender != nil && $0.age != nil })
    }

    /// The runtime's outputs on every golden input, byte for byte.
    @Test func runtimeOutputsEqualTheGoldenFile() throws {
        let golden = try #require(Self.golden)
        let outputs = try Self.outputs(Self.blobBytes, count: golden.manifest.count)
        let first = zip(outputs, golden.outputs).enumerated().first { $0.element.0 != $0.element.1 }?.offset
        #expect(first == nil, "first difference at output \(first ?? -1) (face \((first ?? 0) / golden.manifest.outputCount))")
        #expect(outputs.count == golden.outputs.count)
    }

    /// One weight of the first convolution moved by one step, checksums resealed: the blob still
    /// opens, and the golden check fails.
    @Test func goldenCheckCatchesOneChangedWeight() throws {
        let golden = try #require(Self.golden)
        var bytes = Self.blobBytes
        let loaded = try LoadedModel(bytes: bytes)
        let section = try #require(BlobInspection(loaded.model).sections.first { $0.kind == "weights" })
        let (weights, op) = (section.offset, loaded.model.op(0))
        #expect(op.kind == .conv2D)
        let at = weights + op.weightsOffset + 5
        bytes[at] = Int8(bitPattern: bytes[at]) == 127 ? bytes[at] &- 1 : bytes[at] &+ 1
        BlobBuilder.sealChecksums(&bytes)
        let count = 64
        let changed = try Self.outputs(bytes, count: count)
        #expect(changed != Array(golden.outputs.prefix(count * golden.manifest.outputCount)))
    }

    /// Every requantising op switched to the other rounding rule (double <-> single), resealed:
    /// the golden check fails.
    @Test func goldenCheckCatchesAChangedRoundingRule() throws {
        let golden = try #require(Self.golden)
        var bytes = Self.blobBytes
        let loaded = try LoadedModel(bytes: bytes)
        let section = try #require(BlobInspection(loaded.model).sections.first { $0.kind == "ops" })
        let kinds: [OpKind] = [.conv2D, .depthwiseConv2D, .fullyConnected]
        let ops = section.offset
        let requantizing = (0..<loaded.model.opCount).filter { kinds.contains(loaded.model.op($0).kind) }
        var flipped = 0
        for i in requantizing {
            let at = ops + i * BlobFormat.OpRecord.size + BlobFormat.OpRecord.rounding
            guard let mode = RoundingMode(rawValue: bytes[at]) else { continue }
            let other: RoundingMode = mode == .double ? .single : .double
            bytes[at] = other.rawValue
            flipped += 1
        }
        #expect(flipped > 0)
        BlobBuilder.sealChecksums(&bytes)
        let count = 64
        let changed = try Self.outputs(bytes, count: count)
        #expect(changed != Array(golden.outputs.prefix(count * golden.manifest.outputCount)))
    }

    /// Float vs int8 on the golden faces, within the quantizer issue's thresholds, and the int8
    /// metrics no worse than the card's (the card evaluates the same faces).
    @Test func driftOnTheGoldenSetIsWithinThresholds() throws {
        let golden = try #require(Self.golden)
        let card = try #require(Self.card)
        let (graph, _) = try ModelExport.loadGraph(Self.directory + "/facelyzr.safetensors")
        let candidate = try LoadedModel(bytes: Self.blobBytes)
        let set = try EvaluationSet(SplitFaces<TestSplit>(golden.faceSource))
        let thresholds = DriftThresholds(maxGenderDrop: 0.3, maxAgeMAEIncrease: 0.2, maxAttributeDrop: 0.5)
        let report = try DriftEvaluation.run(reference: .float(graph, name: "float"), candidate: candidate,
                                             candidateName: "int8", set: set, thresholds: thresholds).report
        #expect(report.violations.isEmpty, "\(report.violations)")
        let gender = try #require(report.heads.first { $0.name == "gender" }?.outputs.first)
        let agreement = try #require(gender.agreement?.value)
        #expect(agreement >= 99.5, "gender agreement \(agreement)")

        let cardReport = try #require(card.evaluation)
        #expect(cardReport.faceCount == golden.manifest.count)
        for head in report.heads {
            let cardHead = try #require(cardReport.heads.first { $0.name == head.name })
            for (output, cardOutput) in zip(head.outputs, cardHead.outputs) {
                if let accuracy = output.candidateAccuracy?.value, let cardAccuracy = cardOutput.candidateAccuracy?.value {
                    #expect(accuracy >= cardAccuracy - 1e-9, "\(head.name) \(output.label): \(accuracy) < card \(cardAccuracy)")
                }
                if let mae = output.candidateMAE?.value, let cardMAE = cardOutput.candidateMAE?.value {
                    #expect(mae <= cardMAE + 1e-6, "\(head.name) \(output.label): MAE \(mae) > card \(cardMAE)")
                }
            }
        }
    }

    /// A golden file that does not match its manifest is refused, naming the file.
    @Test func tamperedGoldenFileIsRefused() throws {
        let source = URL(fileURLWithPath: Self.directory + "/golden")
        let copy = FileManager.default.temporaryDirectory.appendingPathComponent("golden-\(UUID().uuidString)")
        try FileManager.default.copyItem(at: source, to: copy)
        defer { try? FileManager.default.removeItem(at: copy) }
        let outputs = copy.appendingPathComponent("outputs.i32")
        var bytes = try Data(contentsOf: outputs)
        bytes[0] ^= 1
        try bytes.write(to: outputs)
        #expect {
            _ = try GoldenSet.read(from: copy.path)
        } throws: { error in
            "\(error)".contains("outputs.i32")
        }
    }

    /// Rewriting a golden set is all or nothing: when one file cannot be written (here its name
    /// is taken by a directory), no manifest is left to vouch for the others.
    @Test func failedGoldenWriteLeavesNoManifest() throws {
        let golden = try #require(Self.golden)
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("golden-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        try golden.write(to: directory.path)
        #expect(try GoldenSet.read(from: directory.path).manifest.count == golden.manifest.count)
        try FileManager.default.removeItem(at: directory.appendingPathComponent("outputs.i32"))
        try FileManager.default.createDirectory(at: directory.appendingPathComponent("outputs.i32/blocked"),
                                                withIntermediateDirectories: true)
        #expect(throws: GoldenSetError.self) { try golden.write(to: directory.path) }
        #expect(!FileManager.default.fileExists(atPath: directory.appendingPathComponent("golden.json").path))
        let left = try FileManager.default.contentsOfDirectory(atPath: directory.path).sorted()
        #expect(left == ["outputs.i32"], "only the blocking directory is left: \(left)")
    }
}

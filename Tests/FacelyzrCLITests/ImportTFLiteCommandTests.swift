import FacelyzrTestSupport
import Foundation
import Testing

/// `facelyzr import-model MODEL.tflite` as a user runs it, on the TFLite fixtures of FacelyzrModelImportTests.
@Suite struct ImportTFLiteCommandTests {
    let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("FacelyzrModelImportTests/Fixtures").path

    func facelyzr(_ arguments: [String]) throws -> BuiltExecutable.Run { try BuiltExecutable.facelyzr.run(arguments) }

    @Test(.enabled(if: BuiltExecutable.facelyzr.isBuilt))
    func aTFLiteDetectorIsShownAndQuantizedOnSyntheticScenes() throws {
        let model = fixtures + "/blazeface-blocks.tflite"
        let run = try facelyzr(["import-model", model, "--inspect"])
        #expect(run.status == 0, "\(run.error)")
        #expect(run.output.contains("blazeface-blocks.tflite: TFLite schema 3, producer MLIR Converted., input input [16, 16, 3] (HWC), 14 nodes"))
        #expect(run.output.contains("outputs: Identity[0..<32] <- node 9, Identity[32..<56] <- node 12"))
        #expect(run.output.contains("quantizer: the whole graph maps to the quantizer's float graph"))

        let dir = temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let quantized = try facelyzr(["import-model", model, "--mean", "127.5", "--scale", "0.0078431373", "--blob", dir + "/d.blob",
                                      "--calibration", "scenes", "--calibration-count", "8", "--evaluation-count", "8", "--quiet"])
        #expect(quantized.status == 0, "\(quantized.error)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir).sorted() == ["d.blob", "d.card.json", "d.card.md"])
        let card = try String(contentsOfFile: dir + "/d.card.md", encoding: .utf8)
        #expect(card.contains("synthetic scenes"), "\(card)")
        // A raw head is one row (its outputs' mean agreement), not one per place and channel.
        #expect(card.contains("| Identity_1[0..<32] (raw, every output) | | | | | mean "), "\(card)")
        #expect(!card.contains("| Identity_1[0..<32]/"), "\(card)")
    }

    @Test(.enabled(if: BuiltExecutable.facelyzr.isBuilt))
    func aBadTFLiteFileIsAnErrorNamingItAndNothingIsWritten() throws {
        let dir = temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try Data("not a model".utf8).write(to: URL(fileURLWithPath: dir + "/garbage.tflite"))
        let garbage = try facelyzr(["import-model", dir + "/garbage.tflite", "--out", dir + "/x.safetensors"])
        #expect(garbage.status == 1)
        #expect(garbage.error.contains("garbage.tflite: malformed TFLite model: not a TFLite flatbuffer (no TFL3 file identifier)"))
        let tanh = try facelyzr(["import-model", fixtures + "/tanh.tflite", "--out", dir + "/y.safetensors"])
        #expect(tanh.status == 1)
        #expect(tanh.error.contains("tanh.tflite: node Identity: unsupported TANH: no import for this op"))
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir) == ["garbage.tflite"])
    }
}

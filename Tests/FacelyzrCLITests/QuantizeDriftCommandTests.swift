import FacelyzrTestSupport
import Foundation
import Testing

/// `facelyzr quantize` and `facelyzr drift` as a CI job runs them: the built executable
/// (`swift build --build-tests` builds it beside the test bundle).
@Suite struct QuantizeDriftCommandTests {
    func facelyzr(_ arguments: [String]) throws -> BuiltExecutable.Run { try BuiltExecutable.facelyzr.run(arguments) }

    @Test(.enabled(if: BuiltExecutable.facelyzr.isBuilt))
    func driftExitsNonZeroOnAnInjectedRegressionOnly() throws {
        let dir = temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let checkpoint = dir + "/tiny.safetensors"
        try trainedTinyNetworkCheckpoint(to: checkpoint)
        let quantize = try facelyzr(["quantize", checkpoint, "--calibration", "synthetic", "--synthetic-seed", "3",
                                     "--method", "mse", "--calibration-count", "64", "--evaluation-count", "0",
                                     "--out", dir + "/tiny.blob", "--quiet"])
        #expect(quantize.status == 0, "\(quantize.output)")
        let blob = try [UInt8](Data(contentsOf: URL(fileURLWithPath: dir + "/tiny.blob")))
        try Data(perturbed(blob, op: 2)).write(to: URL(fileURLWithPath: dir + "/perturbed.blob"))

        let thresholds = ["--max-gender-drop", "3", "--max-age-mae-increase", "0.5", "--max-attribute-drop", "3",
                          "--min-agreement", "95", "--count", "200", "--synthetic-seed", "3", "--data", "synthetic", "--quiet"]
        let good = try facelyzr(["drift", "--float", checkpoint, "--int8", dir + "/tiny.blob"] + thresholds)
        #expect(good.status == 0, "\(good.output)")
        #expect(good.output.contains("PASS"))
        let bad = try facelyzr(["drift", "--float", checkpoint, "--int8", dir + "/perturbed.blob", "--json"] + thresholds)
        #expect(bad.status == 3)
        let json = try JSONSerialization.jsonObject(with: Data(bad.output.utf8)) as? [String: Any]
        #expect((json?["violations"] as? [String])?.isEmpty == false)
        let blobs = try facelyzr(["drift", "--baseline", dir + "/tiny.blob", "--int8", dir + "/perturbed.blob", "--layers",
                                  "--layer-faces", "16"] + thresholds)
        #expect(blobs.status == 3)
        #expect(blobs.output.contains("per-layer SQNR"))
    }

    /// A card that cannot be written makes quantize fail with neither blob nor card nor
    /// temporary left, and a temporary of a killed run is gone after the next one (issue 19 item 8).
    @Test(.enabled(if: BuiltExecutable.facelyzr.isBuilt))
    func quantizeWritesTheBlobAndItsCardsTogetherOrNotAtAll() throws {
        let dir = temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let checkpoint = dir + "/m.safetensors"
        writeTinyCheckpoint(to: checkpoint)
        let quantize = ["quantize", checkpoint, "--out", dir + "/m.blob", "--calibration", "synthetic",
                        "--calibration-count", "8", "--evaluation-count", "0", "--quiet"]
        try FileManager.default.createDirectory(atPath: dir + "/m.card.md", withIntermediateDirectories: false)
        try Data([1]).write(to: URL(fileURLWithPath: dir + "/m.blob.tmp-Kx9q2Z"))  // left by a killed run
        try Data([1]).write(to: URL(fileURLWithPath: dir + "/notes.tmp-Kx9q2Z"))   // not ours
        let failed = try facelyzr(quantize)
        #expect(failed.status == 1 && failed.error.contains("m.card.md"), "status \(failed.status): \(failed.error)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir).sorted() == ["m.card.md", "m.safetensors", "notes.tmp-Kx9q2Z"])
        try FileManager.default.removeItem(atPath: dir + "/m.card.md")
        let done = try facelyzr(quantize)
        #expect(done.status == 0, "\(done.error)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir).sorted()
                == ["m.blob", "m.card.json", "m.card.md", "m.safetensors", "notes.tmp-Kx9q2Z"])
    }
}

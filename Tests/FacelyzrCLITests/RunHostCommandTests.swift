import FacelyzrData
import FacelyzrTestSupport
import Foundation
import Testing

/// `facelyzr-run-host`, the program that only runs models: the same `analyze` and `detect` as
/// `facelyzr`, with the same options and the same results.
@Suite struct RunHostCommandTests {
    static let firmware = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("../../firmware-model").standardizedFileURL.path

    static var bothBuilt: Bool { BuiltExecutable.facelyzr.isBuilt && BuiltExecutable.runHost.isBuilt }

    @Test(.enabled(if: bothBuilt))
    func analyzeAndDetectMatchTheFullCommandLine() throws {
        let dir = temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let scene = SyntheticScenes(seed: 0, width: 128, height: 96, faceSizes: 40...64, faceCounts: 1...1)
            .scene(index: Split.test.syntheticIndex(0))
        try scene.image.write(png: dir + "/scene.png")
        let detector = ["--detector", Self.firmware + "/face-detector.blob", "--min-face", "36"]

        let analyze = ["analyze", "--detect", dir + "/scene.png", "--json", "--model", Self.firmware + "/facelyzr.blob"] + detector
        let full = try BuiltExecutable.facelyzr.run(analyze), host = try BuiltExecutable.runHost.run(analyze)
        #expect(full.status == 0 && host.status == 0, "\(full.error)\(host.error)")
        #expect(host.output.contains("\"male\":"))
        #expect(host.output == full.output)

        // Boxes and scores equal; the timings differ from run to run.
        struct Boxes: Decodable, Equatable {
            struct Box: Decodable, Equatable { var x, y, width, height, score: Float }
            var boxes: [Box]
        }
        let detect = ["detect", dir + "/scene.png", "--json"] + detector
        let fullBoxes = try JSONDecoder().decode(Boxes.self, from: Data(try BuiltExecutable.facelyzr.run(detect).output.utf8))
        let hostBoxes = try JSONDecoder().decode(Boxes.self, from: Data(try BuiltExecutable.runHost.run(detect).output.utf8))
        #expect(!hostBoxes.boxes.isEmpty && hostBoxes == fullBoxes)
    }

    @Test(.enabled(if: bothBuilt))
    func helpListsTheRunCommandsWithTheSameOptions() throws {
        let help = try BuiltExecutable.runHost.run(["--help"]).output
        #expect(help.contains("analyze") && help.contains("detect") && !help.contains("quantize"))
        for command in ["analyze", "detect"] {
            let full = try BuiltExecutable.facelyzr.run([command, "--help"]).output
            let host = try BuiltExecutable.runHost.run([command, "--help"]).output
            #expect(host.replacingOccurrences(of: "facelyzr-run-host ", with: "facelyzr ") == full)
        }
        let missing = try BuiltExecutable.runHost.run(["analyze", "--model", "/nonexistent/model.blob", #filePath])
        #expect(missing.status != 0 && missing.error.contains("/nonexistent/model.blob: cannot open: No such file or directory"))
    }
}

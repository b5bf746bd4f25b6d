import FacelyzrData
import FacelyzrTestSupport
import Foundation
import Testing

/// `facelyzr detect` and `facelyzr analyze --detect` as a user runs them: the built executable
/// (`swift build --build-tests` builds it beside the test bundle) on a small held-out scene.
@Suite struct DetectCommandTests {
    static let firmware = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("../../firmware-model").standardizedFileURL.path

    func facelyzr(_ arguments: [String]) throws -> BuiltExecutable.Run { try BuiltExecutable.facelyzr.run(arguments) }

    struct Output: Decodable {
        struct Box: Decodable { var x, y, width, height, score: Float }
        var boxes: [Box]
        var width: Int
        var height: Int
    }

    @Test(.enabled(if: BuiltExecutable.facelyzr.isBuilt))
    func detectPrintsTheFacesAndDrawsThem() throws {
        let dir = temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let scene = SyntheticScenes(seed: 0, width: 128, height: 96, faceSizes: 40...64, faceCounts: 1...1)
            .scene(index: Split.test.syntheticIndex(0))
        try scene.image.write(png: dir + "/scene.png")
        let options = ["--detector", Self.firmware + "/face-detector.blob", "--min-face", "36"]

        let run = try facelyzr(["detect", dir + "/scene.png", "--json", "--out", dir + "/boxes.png"] + options)
        #expect(run.status == 0, "\(run.error)")
        let output = try JSONDecoder().decode(Output.self, from: Data(run.output.utf8))
        #expect(output.width == 128 && output.height == 96)
        let face = try #require(scene.faces.first).box
        let best = try #require(output.boxes.first)
        let overlap = min(best.x + best.width, Float(face.x + face.width)) - max(best.x, Float(face.x))
        #expect(overlap > Float(face.width) / 2, "best box \(best) vs face \(face)")
        #expect(output.boxes.map(\.score) == output.boxes.map(\.score).sorted(by: >))
        let drawn = try Image.decode(file: dir + "/boxes.png")
        #expect(drawn.width == 128 && drawn.height == 96 && drawn != scene.image)

        // One JSON line per face found, each with its box.
        let analyze = try facelyzr(["analyze", "--detect", dir + "/scene.png", "--json", "--model", Self.firmware + "/facelyzr.blob"] + options)
        #expect(analyze.status == 0, "\(analyze.error)")
        #expect(analyze.output.split(separator: "\n").count == output.boxes.count)
        #expect(analyze.output.contains("\"box\":[") && analyze.output.contains("\"male\":"))
    }

    @Test(.enabled(if: BuiltExecutable.facelyzr.isBuilt))
    func badInputFailsWithAMessage() throws {
        let notAnImage = try facelyzr(["detect", #filePath, "--detector", Self.firmware + "/face-detector.blob"])
        #expect(notAnImage.status != 0 && notAnImage.error.contains("not a PNG or JPEG"))
        let dir = temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try Image(width: 20, height: 20, channels: 1).write(png: dir + "/small.png")  // below the smallest face, 28
        let attributeModel = try facelyzr(["detect", dir + "/small.png", "--detector", Self.firmware + "/facelyzr.blob"])
        #expect(attributeModel.status != 0 && attributeModel.error.contains("square gray"))
        let tooSmall = try facelyzr(["detect", dir + "/small.png", "--detector", Self.firmware + "/face-detector.blob"])
        #expect(tooSmall.status != 0 && tooSmall.error.contains("no window fits"))
    }
}

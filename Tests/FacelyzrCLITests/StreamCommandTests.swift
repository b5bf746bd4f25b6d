import FacelyzrData
import FacelyzrTestSupport
import Foundation
import Testing

/// `facelyzr stream`, the board runner's detection mode on the host: its JSON lines on scene
/// frames, and the bad-input list of the camera path (docs/boards.md "2b") with the runner's
/// messages and exit statuses. tools/cross-isa/camera.sh checks its lines equal the runner's.
@Suite(.enabled(if: BuiltExecutable.facelyzr.isBuilt)) struct StreamCommandTests {
    static let firmware = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("../../firmware-model").standardizedFileURL.path

    func stream(_ file: String, size: String, format: String = "yuv420p", _ more: [String] = []) throws -> BuiltExecutable.Run {
        try BuiltExecutable.facelyzr.run(["stream", file, "--frame-size", size, "--format", format,
                                          "--model", Self.firmware + "/facelyzr.blob", "--detector", Self.firmware + "/face-detector.blob"] + more)
    }

    @Test func sceneFramesGiveOneLinePerFrameWithTheFacesDescribed() throws {
        let dir = temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let written = try BuiltExecutable.facelyzr.run(["scenes", "--frames", dir + "/scenes.yuv", "--frame-size", "128x96",
                                                        "--format", "yuv420p", "--count", "2"])
        #expect(written.status == 0, "\(written.all)")
        let run = try stream(dir + "/scenes.yuv", size: "128x96", ["--max-faces", "3", "--raw", "--draw", dir + "/drawn"])
        #expect(run.status == 0 && run.error.isEmpty, "\(run.error)")
        struct Line: Decodable {
            struct Face: Decodable {
                var box: [Float]
                var score: Float
                var gender: Float
                var age: Float
                var attributes: [String: Float]
                var raw: [Int32]
            }
            var frame: Int
            var faces: [Face]
        }
        let lines = try run.output.split(separator: "\n").map { try JSONDecoder().decode(Line.self, from: Data($0.utf8)) }
        #expect(lines.map(\.frame) == [0, 1])
        let faces = lines.flatMap(\.faces)
        #expect(!faces.isEmpty && lines.allSatisfy { $0.faces.count <= 3 })
        for face in faces {
            #expect(face.box.count == 4 && face.score >= 0.5 && face.score <= 1)
            #expect(face.box[0] >= 0 && face.box[1] >= 0 && face.box[0] + face.box[2] <= 128.5 && face.box[1] + face.box[3] <= 96.5)
            #expect(face.gender >= 0 && face.gender <= 1 && face.age > 0 && face.age < 120)
            #expect(face.attributes.count == 8 && face.raw.count == 10)
        }
        // --draw: each frame as a picture, its boxes drawn in green over the frame.
        let drawn = try Image.decode(file: dir + "/drawn/frame-000001.png")
        #expect(drawn.width == 128 && drawn.height == 96 && drawn.channels == 3)
        let green = stride(from: 0, to: drawn.pixels.count, by: 3).filter { drawn.pixels[$0 ..< $0 + 3] == [0, 255, 0] }
        #expect(!green.isEmpty || lines[1].faces.isEmpty)
        #expect(FileManager.default.fileExists(atPath: dir + "/drawn/frame-000000.png"))
    }

    @Test func badInputIsReportedWithTheFrameIndexAndEndsWithExitZero() throws {
        let dir = temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let frame = 32 * 32 * 3 / 2  // 32x32 yuv420p
        var state: UInt64 = 15  // a linear congruential generator: deterministic bytes
        func bytes(_ count: Int) -> [UInt8] {
            (0..<count).map { _ in
                state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
                return UInt8(truncatingIfNeeded: state >> 56)
            }
        }

        // 200 random frames in a row: a line each, nothing on stderr.
        try Data(bytes(200 * frame)).write(to: URL(fileURLWithPath: dir + "/random.yuv"))
        let noise = try stream(dir + "/random.yuv", size: "32x32")
        #expect(noise.status == 0 && noise.error.isEmpty, "\(noise.error)")
        #expect(noise.output.split(separator: "\n").count == 200)

        // A random, an all-zero, a random and an all-255 frame, then a short last frame.
        let mixed = bytes(frame) + [UInt8](repeating: 0, count: frame) + bytes(frame) + [UInt8](repeating: 255, count: frame) + bytes(100)
        try Data(mixed).write(to: URL(fileURLWithPath: dir + "/mixed.yuv"))
        let bad = try stream(dir + "/mixed.yuv", size: "32x32")
        #expect(bad.status == 0)
        #expect(bad.output.split(separator: "\n").map { $0.prefix(19) } == (0..<4).map { "{\"frame\":\($0),\"faces\":" })
        #expect(bad.error == """
            facelyzr-run: frame 1: blank (every byte 0)
            facelyzr-run: frame 3: blank (every byte 255)
            facelyzr-run: frame 4: short final frame (100 of \(frame) bytes) ignored

            """)

        // A frame too small for the smallest face searched: exit 2 at startup.
        let small = try stream(dir + "/mixed.yuv", size: "16x16")
        #expect(small.status == 2 && small.output.isEmpty && small.error.contains("no window fits"), "\(small.all)")
    }
}

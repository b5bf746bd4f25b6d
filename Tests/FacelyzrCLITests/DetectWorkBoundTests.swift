import FacelyzrData
import FacelyzrTestSupport
import Foundation
import Testing

/// `facelyzr detect` refuses up front a search whose pyramid would score more windows than
/// `Localiser.maximumWindowCount`, or whose first level would exceed the pixel limit, instead of
/// working for minutes (issue 19 item 5; docs/limits.md "Face detection").
@Suite struct DetectWorkBoundTests {
    static let detector = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("../../firmware-model/face-detector.blob").standardizedFileURL.path

    /// A gray picture of `width` x `height` in a fresh folder; the folder.
    static func picture(width: Int, height: Int) throws -> (folder: String, file: String) {
        let folder = temporaryDirectory()
        let file = folder + "/p.png"
        try Image(width: width, height: height, channels: 1, pixels: [UInt8](repeating: 90, count: width * height)).write(png: file)
        return (folder, file)
    }

    @Test(.enabled(if: BuiltExecutable.facelyzr.isBuilt),
          arguments: [(8000, 8000, [String]()), (16384, 4096, []), (320, 240, ["--scale-step", "1.0000001"]),
                      (320, 240, ["--min-face", "1", "--stride", "4"]), (2000, 2000, ["--min-face", "1", "--stride", "1000"])])
    func aSearchPastTheWorkBoundIsRefusedUpFront(width: Int, height: Int, options: [String]) throws {
        let (folder, file) = try Self.picture(width: width, height: height)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let run = try BuiltExecutable.facelyzr.run(["detect", file, "--detector", Self.detector] + options)
        #expect(run.status == 1, "status \(run.status): \(run.error)")
        #expect(run.error.contains("2000000 windows") || run.error.contains("67108864 pixels"), "\(run.error)")
    }
}

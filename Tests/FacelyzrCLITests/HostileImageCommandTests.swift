import FacelyzrTestSupport
import Foundation
import Testing

/// Hostile pictures given to `facelyzr analyze`: the built executable in a child process, its
/// peak resident memory measured by the kernel. The bounds are in docs/limits.md.
@Suite struct HostileImageCommandTests {
    static let model = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("../../firmware-model/facelyzr.blob").standardizedFileURL.path

    /// A 61-byte PNG: signature, a 1x1 gray IHDR, then a `type` chunk that declares 2^31-1
    /// bytes and holds 20.
    static func hugeChunkPNG(type: String) -> [UInt8] {
        let signature: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]
        let header: [UInt8] = [0, 0, 0, 13] + Array("IHDR".utf8) + [0, 0, 0, 1, 0, 0, 0, 1, 8, 0, 0, 0, 0]
            + [0x3A, 0x7E, 0x9B, 0x55]  // its CRC-32
        return signature + header + [0x7F, 0xFF, 0xFF, 0xFF] + Array(type.utf8) + Array("k\0".utf8)
            + [UInt8](repeating: 0x76, count: 18)
    }

    @Test(.enabled(if: BuiltExecutable.facelyzr.isBuilt), arguments: ["tEXt", "zTXt", "iTXt", "abCd"])
    func aHugeDeclaredChunkIsNotAllocated(type: String) throws {
        let dir = temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let path = dir + "/chunk.png"
        let png = Self.hugeChunkPNG(type: type)
        #expect(png.count == 61)
        try Data(png).write(to: URL(fileURLWithPath: path))

        let run = try BuiltExecutable.facelyzr.runMeasuringPeakMemory(["analyze", "--model", Self.model, path])
        #expect(run.status == 1, "signal \(run.signal.map(String.init) ?? "none"): \(run.error)")
        #expect(run.error.contains("\(path): truncated image"), "\(run.error)")
        #expect(run.peakResidentBytes < 64 << 20, "peak \(run.peakResidentBytes >> 20) MiB")
    }
}

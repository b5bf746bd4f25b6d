import FacelyzrBlobBuilder
import FacelyzrFiles
import FacelyzrHost
import FacelyzrRuntime
import FacelyzrTestSupport
import Foundation
import Testing

/// Every released format version keeps opening: `Fixtures/` holds one blob per version, made by
/// the builder of that time, with the outputs it predicted for `TestModels.pixels`.
///
/// v1's fixture is `TestModels.everyOp()`; v2's, `TestModels.residual()` (v1's ops and add);
/// v3's, `TestModels.heads()` (softmax, expected-value and raw heads); v4's, `TestModels.detector()`
/// (per-place heads); v5's, `TestModels.wide()` (int16 tensors, the 16x8 ops).
/// Regenerate the current version's fixture (only while it is the current format):
/// `FACELYZR_WRITE_FIXTURES=1 swift test --filter FormatVersionFixtureTests`.
@Suite struct FormatVersionFixtureTests {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures")

    static func outputs(_ model: Model) -> [Int32] {
        run(model, TestModels.pixels(model.input.byteCount)).outputs
    }

    @Test(.enabled(if: ProcessInfo.processInfo.environment["FACELYZR_WRITE_FIXTURES"] == "1"))
    func writeCurrentVersionFixture() throws {
        let bytes = TestModels.wide().build().bytes
        let outputs = try withModel(bytes, Self.outputs)
        #expect(try withModel(bytes) { $0.formatVersion } == BlobFormat.currentVersion)
        try AtomicFileWriter.write(bytes, to: Self.fixtures.appendingPathComponent("every-op-v\(BlobFormat.currentVersion).blob").path)
        let text = outputs.map(String.init).joined(separator: "\n") + "\n"
        try AtomicFileWriter.write(Array(text.utf8), to: Self.fixtures.appendingPathComponent("every-op-v\(BlobFormat.currentVersion).outputs").path)
    }

    @Test(arguments: [1, 2, 3, 4, 5])
    func fixtureOpensAndPredictsCommittedOutputs(version: Int) throws {
        let blob = try LoadedModel(path: Self.fixtures.appendingPathComponent("every-op-v\(version).blob").path)
        let (formatVersion, outputs) = (blob.model.formatVersion, Self.outputs(blob.model))
        #expect(formatVersion == UInt32(version))
        let expected = try String(contentsOf: Self.fixtures.appendingPathComponent("every-op-v\(version).outputs"), encoding: .utf8)
            .split(separator: "\n").map { Int32($0)! }
        #expect(outputs == expected)
    }

    @Test func checksumIsZlibCRC32() {
        // zlib.crc32(b"123456789") == 0xCBF43926, the CRC-32/IEEE check value.
        let crc = Array("123456789".utf8).withUnsafeBytes { CRC32.update(0, $0.baseAddress!, count: 9) }
        #expect(crc == 0xCBF4_3926)
    }
}

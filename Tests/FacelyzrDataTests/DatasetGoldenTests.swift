import FacelyzrFiles
import Foundation
import Testing
@testable import FacelyzrData

/// Tests/Fixtures/data/dataset-v1.fzds was written by this writer when format version 1 was
/// released; every later reader must open it, and the writer must still produce it byte for
/// byte (regenerate only with a new format version: FACELYZR_WRITE_GOLDEN=1).
@Suite struct DatasetGoldenTests {
    static let goldenPath = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures/data/dataset-v1.fzds").path

    static func writeCurrent() throws -> (TemporaryDirectory, [UInt8]) {
        let directory = try TemporaryDirectory()
        _ = try DatasetFormatTests.writeDataset(count: 7, in: directory.path)
        return (directory, try ReadOnlyFile.readAll(path: directory.path + "/samples.fzds"))
    }

    @Test func versionOneFileStillOpensAndDecodes() throws {
        if ProcessInfo.processInfo.environment["FACELYZR_WRITE_GOLDEN"] == "1" {
            try AtomicFileWriter.write(try Self.writeCurrent().1, to: Self.goldenPath)
        }
        let reader = try DatasetReader(file: Self.goldenPath)
        #expect(reader.count == 7)
        for index in 0..<7 {
            #expect(try reader.sample(at: index) == DatasetFormatTests.sample(index))
        }
    }

    @Test func writerOutputIsByteStable() throws {
        let (directory, bytes) = try Self.writeCurrent()
        defer { withExtendedLifetime(directory) {} }
        #expect(bytes == (try ReadOnlyFile.readAll(path: Self.goldenPath)))
    }
}

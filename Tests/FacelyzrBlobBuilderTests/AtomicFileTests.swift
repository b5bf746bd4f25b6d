import FacelyzrBlobBuilder
import Foundation
import Testing

@Suite struct AtomicFileTests {
    @Test func replacesTheFileAndLeavesNoTemporary() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("atomic-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("model.blob").path
        try AtomicFile.write([1, 2, 3], to: path)
        try AtomicFile.write([4, 5], to: path)
        #expect([UInt8](try Data(contentsOf: URL(fileURLWithPath: path))) == [4, 5])
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path) == ["model.blob"])
    }

    @Test func missingFolderIsAnError() {
        #expect(throws: AtomicFile.WriteError.self) {
            try AtomicFile.write([1], to: "/nonexistent-\(UUID().uuidString)/model.blob")
        }
    }
}

import FacelyzrFiles
import Foundation
import Testing

@Suite struct AtomicFileWriterTests {
    @Test func replacesTheFileAndLeavesNoTemporary() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("atomic-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("model.blob").path
        try AtomicFileWriter.write([1, 2, 3], to: path)
        try AtomicFileWriter.write([4, 5], to: path)
        #expect(try ReadOnlyFile.readAll(path: path) == [4, 5])
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path) == ["model.blob"])
    }

    @Test func uncommittedWriterLeavesTheOldFile() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("atomic-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("model.blob").path
        try AtomicFileWriter.write([1, 2, 3], to: path)
        do {
            let writer = try AtomicFileWriter(path: path)
            try writer.write([9, 9])
        }
        #expect(try ReadOnlyFile.readAll(path: path) == [1, 2, 3])
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path) == ["model.blob"])
    }

    @Test func errorsNameTheFile() {
        let folder = "/nonexistent-\(UUID().uuidString)"
        #expect(throws: FileError(path: folder + "/model.blob", reason: "cannot create a temporary file next to it: No such file or directory")) {
            try AtomicFileWriter.write([1], to: folder + "/model.blob")
        }
        #expect(throws: FileError(path: folder + "/model.blob", reason: "cannot open: No such file or directory")) {
            try ReadOnlyFile.readAll(path: folder + "/model.blob")
        }
        #expect(throws: FileError(path: "/", reason: "is a directory")) { try ReadOnlyFile.readAll(path: "/") }
    }
}

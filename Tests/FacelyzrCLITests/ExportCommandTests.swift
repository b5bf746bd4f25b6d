import FacelyzrTestSupport
import Foundation
import Testing

/// `facelyzr export --format c-array`: the C it writes compiles, and a name that cannot be the
/// array's identifier is refused before anything is written.
@Suite struct ExportCommandTests {
    static let model = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("../../firmware-model/face-detector.blob").standardizedFileURL.path
    static let compiler = "/usr/bin/cc"

    /// Compiles `source` as C11 into an object file; the compiler's messages when it fails.
    static func compile(_ source: String, in dir: String) throws -> String? {
        let file = dir + "/blob.c"
        try Data(source.utf8).write(to: URL(fileURLWithPath: file))
        let process = Process()
        process.executableURL = URL(fileURLWithPath: compiler)
        process.arguments = ["-std=c11", "-Wall", "-Werror", "-c", file, "-o", dir + "/blob.o"]
        let messages = Pipe()
        process.standardError = messages
        try process.run()
        let text = String(decoding: messages.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        return process.terminationStatus == 0 ? nil : text
    }

    @Test(.enabled(if: BuiltExecutable.facelyzr.isBuilt && FileManager.default.isExecutableFile(atPath: compiler)))
    func theCArrayCompiles() throws {
        let dir = temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let run = try BuiltExecutable.facelyzr.run(["export", "--format", "c-array", Self.model, "--name", "detector_blob"])
        #expect(run.status == 0, "\(run.error)")
        #expect(run.output.contains("const unsigned char detector_blob[") && run.output.contains("const size_t detector_blob_length"))
        #expect(try Self.compile(run.output, in: dir) == nil)
    }

    /// Keywords of C11, C17 and C23, what `<stddef.h>` (included by the output) defines, and
    /// names reserved to the implementation: each would make the output fail to compile or
    /// clash with the toolchain.
    @Test(.enabled(if: BuiltExecutable.facelyzr.isBuilt),
          arguments: ["int", "for", "_Alignas", "restrict", "bool", "nullptr", "typeof", "size_t", "NULL", "offsetof",
                      "__blob", "_Blob", "9blob", "blob-1", "", "blöb"])
    func aNameThatIsNotAUsableCIdentifierIsRefused(name: String) throws {
        let dir = temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let run = try BuiltExecutable.facelyzr.run(["export", "--format", "c-array", Self.model, "--name", name, "--out", dir + "/blob.c"])
        #expect(run.status != 0)
        #expect(run.error.contains("--name"), "\(run.error)")
        #expect(!FileManager.default.fileExists(atPath: dir + "/blob.c"))
    }
}

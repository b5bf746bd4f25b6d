import FacelyzrTestSupport
import Foundation
import Testing

/// A command given its input as its output (the same path, `./`, a symbolic or a hard link)
/// refuses before writing, and the input is left as it was (issue 19 item 6).
@Suite struct SamePathCommandTests {
    static let blob = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("../../firmware-model/face-detector.blob").standardizedFileURL.path

    /// The ways to name `file` (in `folder`) again.
    static func aliases(of file: String, in folder: String) throws -> [String] {
        let name = (file as NSString).lastPathComponent
        try FileManager.default.createSymbolicLink(atPath: folder + "/link-" + name, withDestinationPath: file)
        try FileManager.default.linkItem(atPath: file, toPath: folder + "/hard-" + name)
        return [file, folder + "/./" + name, folder + "/sub/../" + name, folder + "/link-" + name, folder + "/hard-" + name]
    }

    func expectRefused(_ arguments: [String], keeps file: String, _ original: Data) throws {
        let run = try BuiltExecutable.facelyzr.run(arguments)
        #expect([1, 2].contains(run.status), "status \(run.status): \(run.error)")
        #expect(run.error.contains("would replace the input"), "\(arguments): \(run.error)")
        #expect(try Data(contentsOf: URL(fileURLWithPath: file)) == original, "\(arguments) changed the input")
    }

    @Test(.enabled(if: BuiltExecutable.facelyzr.isBuilt))
    func exportAndDetectRefuseToWriteOverTheirInput() throws {
        let folder = temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try FileManager.default.createDirectory(atPath: folder + "/sub", withIntermediateDirectories: true)
        let model = folder + "/m.blob"
        try FileManager.default.copyItem(atPath: Self.blob, toPath: model)
        let original = try Data(contentsOf: URL(fileURLWithPath: model))
        for out in try Self.aliases(of: model, in: folder) {
            try expectRefused(["export", "--format", "c-array", model, "--out", out], keeps: model, original)
        }
        let picture = folder + "/p.png"
        let synth = try BuiltExecutable.facelyzr.run(["synth", "--count", "1", "--sheet", picture])
        #expect(synth.status == 0, "\(synth.error)")
        let image = try Data(contentsOf: URL(fileURLWithPath: picture))
        for out in try Self.aliases(of: picture, in: folder) {
            try expectRefused(["detect", picture, "--detector", Self.blob, "--out", out], keeps: picture, image)
        }
    }

    @Test(.enabled(if: BuiltExecutable.facelyzr.isBuilt))
    func quantizeRefusesToWriteOverItsCheckpoint() throws {
        let folder = temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try FileManager.default.createDirectory(atPath: folder + "/sub", withIntermediateDirectories: true)
        let checkpoint = folder + "/m.safetensors"
        writeTinyCheckpoint(to: checkpoint)
        let original = try Data(contentsOf: URL(fileURLWithPath: checkpoint))
        for out in try Self.aliases(of: checkpoint, in: folder) {
            try expectRefused(["quantize", checkpoint, "--out", out, "--calibration", "synthetic", "--calibration-count", "8", "--evaluation-count", "0", "--quiet"], keeps: checkpoint, original)
        }
    }

    @Test(.enabled(if: BuiltExecutable.facelyzr.isBuilt))
    func importRefusesToWriteIntoItsSource() throws {
        let folder = temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let source = folder + "/utk"
        try FileManager.default.createDirectory(atPath: source, withIntermediateDirectories: true)
        let marker = source + "/keep.txt"
        try Data("mine".utf8).write(to: URL(fileURLWithPath: marker))
        for destination in [source, source + "/.", folder + "/./utk/"] {
            let run = try BuiltExecutable.facelyzr.run(["import", "utkface", source, destination])
            #expect(run.status != 0 && run.error.contains("would replace the input"), "\(destination): \(run.error)")
            #expect(try FileManager.default.contentsOfDirectory(atPath: source) == ["keep.txt"])
        }
    }
}

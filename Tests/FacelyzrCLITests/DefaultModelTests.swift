import FacelyzrData
import FacelyzrSynthetic
import FacelyzrTestSupport
import Foundation
import Testing

/// Where `facelyzr` finds its models without --model / --detector
/// (Sources/FacelyzrRunCommands/ShippedModels.swift): FACELYZR_MODEL_DIR, then the share directory
/// next to the executable, then the checkout; `facelyzr version` lists them. The installed tree
/// (share directory) is run by tools/packaging/install-check.sh.
@Suite struct DefaultModelTests {
    static let firmware = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("../../firmware-model").standardizedFileURL.path

    func facelyzr(_ arguments: [String], modelDirectory: String = "") throws -> BuiltExecutable.Run {
        try BuiltExecutable.facelyzr.run(arguments, environment: ["FACELYZR_MODEL_DIR": modelDirectory])
    }

    @Test(.enabled(if: BuiltExecutable.facelyzr.isBuilt))
    func versionListsThePlacesAndWhatIsFound() throws {
        let run = try facelyzr(["version"])
        #expect(run.status == 0, "\(run.error)")
        #expect(run.output.hasPrefix("facelyzr 0."))
        let share = BuiltExecutable.directory.deletingLastPathComponent().appendingPathComponent("share/facelyzr").path
        #expect(run.output.contains("  1. $FACELYZR_MODEL_DIR: not set\n  2. next to the executable: \(share)\n  3. checkout: \(Self.firmware)\n"),
                "\(run.output)")
        #expect(run.output.contains("facelyzr.blob: \(Self.firmware)/facelyzr.blob (facelyzr, 64x64x3 int8)"))
        #expect(run.output.contains("face-detector.blob: \(Self.firmware)/face-detector.blob (face-detector, 24x24x1 int8)"))
    }

    @Test(.enabled(if: BuiltExecutable.facelyzr.isBuilt))
    func theEnvironmentVariableComesFirst() throws {
        let dir = temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let face = SyntheticFaces(seed: 0, size: 64).sample(index: Split.test.syntheticIndex(0)).image
        try face.write(png: dir + "/face.png")

        // A damaged model there is used, and refused with every place named, not skipped.
        let blob = try Data(contentsOf: URL(fileURLWithPath: Self.firmware + "/facelyzr.blob"))
        try blob.prefix(1000).write(to: URL(fileURLWithPath: dir + "/facelyzr.blob"))
        let damaged = try facelyzr(["analyze", dir + "/face.png"], modelDirectory: dir)
        #expect(damaged.status != 0)
        #expect(damaged.error.contains("the default model \(dir)/facelyzr.blob: not a valid model blob"), "\(damaged.error)")
        #expect(damaged.error.contains("  1. $FACELYZR_MODEL_DIR: \(dir)/facelyzr.blob\n"))
        #expect(damaged.error.contains("(not there)\n  3. checkout: \(Self.firmware)/facelyzr.blob"))

        // A good one there gives what --model gives.
        try blob.write(to: URL(fileURLWithPath: dir + "/facelyzr.blob"))
        let found = try facelyzr(["analyze", dir + "/face.png", "--json"], modelDirectory: dir)
        let given = try facelyzr(["analyze", dir + "/face.png", "--json", "--model", Self.firmware + "/facelyzr.blob"])
        #expect(found.status == 0 && found.output.contains("\"male\":") && found.output == given.output, "\(found.error)")
        #expect(try facelyzr(["version"], modelDirectory: dir).output.contains("facelyzr.blob: \(dir)/facelyzr.blob ("))
    }
}

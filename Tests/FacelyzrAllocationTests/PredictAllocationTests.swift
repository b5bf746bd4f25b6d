import FacelyzrTestSupport
import Foundation
import Testing

/// Predict must not touch the heap after its first call: `LoadedModel.run` (packed weights, the
/// host programs' path), its layer-output variant, and `Model.predict` on the canonical weights
/// (the C API's `fz_model_predict`). Counted by
/// `facelyzr-alloc-probe` under malloc-interposer's LD_PRELOAD counter, in a child
/// process (Swift Testing runs tests in parallel threads, whose allocations would count).
@Suite struct PredictAllocationTests {
    /// The probe, and the interposer library it runs under (`swift build --build-tests` builds
    /// both beside the test binary).
    static let probe = BuiltExecutable("facelyzr-alloc-probe")
    static let interposer = BuiltExecutable("libMallocInterposerSwift.so").url

    struct Count { var allocations: Int; var frees: Int }

    /// Writes the fixture blobs into a fresh temporary directory, passes their paths to `body`,
    /// and removes the directory afterwards.
    static func withFixtureBlobs(_ body: ([URL]) throws -> Void) throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("facelyzr-alloc-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        let fixtures = try BuiltExecutable("facelyzr-embedded-fixtures").run([directory.path])
        try #require(fixtures.status == 0, "facelyzr-embedded-fixtures failed: \(fixtures.all)")
        let names = try FileManager.default.contentsOfDirectory(atPath: directory.path)
        try body(names.filter { $0.hasSuffix(".fzb") }.sorted().map { directory.appendingPathComponent($0) })
    }

    /// Runs the probe in `mode` on `blob` with the counter preloaded.
    static func count(_ mode: String, _ blob: URL) throws -> Count {
        let run = try probe.run([mode, blob.path, "10"], environment: ["LD_PRELOAD": interposer.path])
        let output = run.output
        try #require(run.status == 0, "probe \(mode) \(blob.lastPathComponent) exited \(run.status): \(run.all)")
        let fields = Dictionary(uniqueKeysWithValues: output.split(whereSeparator: \.isWhitespace).compactMap {
            field -> (String, Int)? in
            let parts = field.split(separator: "=")
            guard parts.count == 2, let value = Int(parts[1]) else { return nil }
            return (String(parts[0]), value)
        })
        let allocations = try #require(fields["allocations"], "no count in probe output: \(output)")
        let frees = try #require(fields["frees"], "no count in probe output: \(output)")
        return Count(allocations: allocations, frees: frees)
    }

    @Test func positiveControlIsCounted() throws {
        try Self.withFixtureBlobs { blobs in
            let blob = try #require(blobs.first)
            let count = try Self.count("control", blob)
            // The control copies the outputs into a new array in each of the 10 iterations.
            #expect(count.allocations >= 10)
            #expect(count.frees >= 9)
        }
    }

    @Test(arguments: ["predict", "predict-layers", "canonical"])
    func predictDoesNotAllocate(mode: String) throws {
        try Self.withFixtureBlobs { blobs in
            try #require(blobs.count >= 3)
            for blob in blobs {
                let count = try Self.count(mode, blob)
                #expect(count.allocations == 0, "\(mode) \(blob.lastPathComponent)")
                #expect(count.frees == 0, "\(mode) \(blob.lastPathComponent)")
            }
        }
    }

    /// The shipped face / not-face model (firmware-model/face-detector.blob, docs/detection.md).
    static let detector = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("../../firmware-model/face-detector.blob").standardizedFileURL

    @Test func detectDoesNotAllocateAfterWarmUp() throws {
        // 2 frames of 128x96 after the first (the debug build is slow): every pyramid level, window and suppression.
        let run = try Self.probe.run(["detect", Self.detector.path, "2"], environment: ["LD_PRELOAD": Self.interposer.path])
        try #require(run.status == 0, "probe detect exited \(run.status): \(run.all)")
        #expect(run.output.contains(" allocations=0 frees=0 "), "\(run.all)")
    }
}

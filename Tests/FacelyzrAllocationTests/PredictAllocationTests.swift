import Foundation
import Testing

/// Predict must not touch the heap after its first call: `LoadedModel.run` (packed weights, the
/// host programs' path), its layer-output variant, and `Model.predict` on the canonical weights
/// (the C API's `fz_model_predict`). Counted by
/// `facelyzr-alloc-probe` under malloc-interposer's LD_PRELOAD counter, in a child
/// process (Swift Testing runs tests in parallel threads, whose allocations would count).
@Suite struct PredictAllocationTests {
    /// The directory holding this test binary, the probe, the fixture writer and the
    /// interposer library (`swift build --build-tests` builds them side by side).
    static let binDirectory = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
        .deletingLastPathComponent()

    struct Count { var allocations: Int; var frees: Int }

    /// Writes the fixture blobs into a fresh temporary directory, passes their paths to `body`,
    /// and removes the directory afterwards.
    static func withFixtureBlobs(_ body: ([URL]) throws -> Void) throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("facelyzr-alloc-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        let (status, output) = run(binDirectory.appendingPathComponent("facelyzr-embedded-fixtures"), [directory.path])
        try #require(status == 0, "facelyzr-embedded-fixtures failed: \(output)")
        let names = try FileManager.default.contentsOfDirectory(atPath: directory.path)
        try body(names.filter { $0.hasSuffix(".fzb") }.sorted().map { directory.appendingPathComponent($0) })
    }

    static func run(_ executable: URL, _ arguments: [String], environment: [String: String] = [:]) -> (Int32, String) {
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        do { try process.run() } catch { return (-1, "\(executable.path): \(error)") }
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }

    /// Runs the probe in `mode` on `blob` with the counter preloaded.
    static func count(_ mode: String, _ blob: URL) throws -> Count {
        let interposer = binDirectory.appendingPathComponent("libMallocInterposerSwift.so")
        let (status, output) = run(
            binDirectory.appendingPathComponent("facelyzr-alloc-probe"), [mode, blob.path, "10"],
            environment: ["LD_PRELOAD": interposer.path])
        try #require(status == 0, "probe \(mode) \(blob.lastPathComponent) exited \(status): \(output)")
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
        let interposer = Self.binDirectory.appendingPathComponent("libMallocInterposerSwift.so")
        let (status, output) = Self.run(
            Self.binDirectory.appendingPathComponent("facelyzr-alloc-probe"), ["detect", Self.detector.path, "2"],
            environment: ["LD_PRELOAD": interposer.path])
        try #require(status == 0, "probe detect exited \(status): \(output)")
        #expect(output.contains(" allocations=0 frees=0 "), "\(output)")
    }
}

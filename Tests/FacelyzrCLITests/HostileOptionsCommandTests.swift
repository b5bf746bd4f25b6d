import FacelyzrData
import FacelyzrTestSupport
import Foundation
import Testing

/// Command-line values a user can get wrong (issue 19): each ends in an error that names the
/// option or the file, never in a signal, a trap or minutes of work.
@Suite struct HostileOptionsCommandTests {
    /// A run that ended by a signal reports its number as the status on Linux `Process`
    /// (`terminationReason == .uncaughtSignal`); an exit by an error is 1, a usage error 2.
    static func isError(_ run: BuiltExecutable.Run) -> Bool { run.status == 1 || run.status == 2 }

    /// A dataset of 64x64 colour faces (the standard network's input) whose records are all in
    /// the test split, or none at all.
    static func writeDataset(_ directory: String, testRecords: Int) throws {
        let writer = try DatasetWriter(directory: directory, format: DatasetFormat(width: 64, height: 64, channels: 3), source: "test")
        for i in 0..<testRecords {
            try writer.append(FaceSample(image: Image(width: 64, height: 64, channels: 3, pixels: [UInt8](repeating: 9, count: 64 * 64 * 3)),
                                         labels: FaceLabels(gender: 1, age: 30), split: .test, sourceID: "face\(i)"))
        }
        _ = try writer.finish()
    }

    @Test(.enabled(if: BuiltExecutable.facelyzr.isBuilt), arguments: [0, 2])
    func trainingOnADatasetWithoutTrainRecordsIsAnError(testRecords: Int) throws {
        let folder = temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try Self.writeDataset(folder + "/data", testRecords: testRecords)
        let run = try BuiltExecutable.facelyzr.run(["train", "--dataset", folder + "/data", "--output", folder + "/x.safetensors",
                                                    "--attributes", "", "--pretrain-steps", "0", "--steps", "2", "--batch-size", "2"])
        #expect(Self.isError(run), "status \(run.status): \(run.error)")
        #expect(run.error.contains("no faces to train on"), "\(run.error)")
        #expect(!FileManager.default.fileExists(atPath: folder + "/x.safetensors"))
    }

    /// Non-finite and out-of-range values of the float options are refused when parsing, naming
    /// the option, before anything is trained or written.
    @Test(.enabled(if: BuiltExecutable.facelyzr.isBuilt),
          arguments: [["--learning-rate", "nan"], ["--learning-rate", "inf"], ["--learning-rate", "0"],
                      ["--weight-decay", "nan"], ["--corruption-amount", "nan"], ["--corruption-amount", "2"]])
    func aNonFiniteOrOutOfRangeTrainingValueIsRefused(option: [String]) throws {
        let folder = temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let run = try BuiltExecutable.facelyzr.run(["train", "--output", folder + "/x.safetensors", "--train-count", "4",
                                                    "--batch-size", "2", "--pretrain-steps", "1", "--steps", "1"] + option)
        #expect(Self.isError(run), "status \(run.status): \(run.error)")
        #expect(run.error.contains(option[0]), "\(run.error)")
        #expect(!FileManager.default.fileExists(atPath: folder + "/x.safetensors"))
    }

    /// A face size past the bound is refused with the bound before any pixel is allocated (it
    /// aborted allocating 30 GB, or trapped on overflow).
    @Test(.enabled(if: BuiltExecutable.facelyzr.isBuilt), arguments: ["100000", "4294967296", "4097", "7"])
    func anUnreasonableSynthSizeIsRefusedWithTheLimit(size: String) throws {
        let folder = temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let run = try BuiltExecutable.facelyzr.run(["synth", "--count", "1", "--size", size, folder + "/faces"])
        #expect(Self.isError(run), "status \(run.status): \(run.error)")
        #expect(run.error.contains("--size must be in 8...4096"), "\(run.error)")
        #expect(!FileManager.default.fileExists(atPath: folder + "/faces"))
    }

    /// Every numeric option is checked against what it means when parsing: the error names the
    /// option and nothing runs (these were accepted, or ran into a division by zero).
    @Test(.enabled(if: BuiltExecutable.facelyzr.isBuilt),
          arguments: [["drift", "--float", "a.safetensors", "--int8", "m.blob", "--data", "synthetic", "--min-agreement", "200"],
                      ["drift", "--float", "a.safetensors", "--int8", "m.blob", "--data", "synthetic", "--max-gender-drop", "nan"],
                      ["drift", "--float", "a.safetensors", "--int8", "m.blob", "--data", "synthetic", "--max-age-mae-increase", "inf"],
                      ["drift", "--float", "a.safetensors", "--int8", "m.blob", "--data", "synthetic", "--layer-faces", "0"],
                      ["golden", "--model", "m.blob", "--out", "g", "--count", "0"],
                      ["bench", "--runs", "0"], ["bench", "--inferences", "0"],
                      ["synth-stats", "--probe-resolution", "0"], ["detect-eval", "scenes", "--count", "0"],
                      // Each of these ran into a trap, or for hours: a scene index past its split,
                      // the first face past the test split, counts past any memory.
                      ["scenes", "--patches", "p", "--test-scenes", "1000001"], ["scenes", "--sheet", "s.png", "--count", "100000"], ["scenes", "--frames", "f.raw", "--count", "10001"],
                      ["scenes", "--patches", "p", "--patch-size", "16384"], ["scenes", "--patches", "p", "--hard-scenes", "-1"],
                      ["demo", "--first", "9223372036854775807"], ["import", "utkface", "a", "b", "--size", "1025"],
                      ["quantize", "m.safetensors", "--calibration", "synthetic", "--out", "m.blob", "--evaluation-count", "99999999"],
                      ["drift", "--float", "a.safetensors", "--int8", "m.blob", "--data", "synthetic", "--count", "99999999"],
                      ["experiment", "sdae-vs-random", "--seeds", "0"], ["experiment", "sdae-vs-random", "--steps", "2147483648"],
                      ["detect-eval", "lfw", "d", "--folds", "1"], ["detect-eval", "lfw", "d", "--lfw-repeats", "1000000"],
                      ["train", "--output", "x.safetensors", "--steps", "0"], ["train", "--output", "x.safetensors", "--test-count", "2000000"],
                      ["train", "--output", "x.safetensors", "--threads", "100000"], ["pretrain", "--output", "x.safetensors", "--log-every", "0"],
                      ["bench", "--runs", "100000000"], ["golden", "--model", "m.blob", "--out", "g", "--count", "1000000"],
                      // The localiser's settings, before the picture is read (they were refused after it).
                      ["detect", "p.png", "--scale-step", "1"], ["detect", "p.png", "--min-face", "0"],
                      ["detect", "p.png", "--stride", "9223372036854775807"],  // SIGSEGV, found by tools/fuzz/cli.sh
                      ["analyze", "p.png", "--detect", "--threshold", "nan"], ["detect-eval", "scenes", "--overlap", "-1"]])
    func anOutOfRangeOptionIsRefusedNamingIt(arguments: [String]) throws {
        let run = try BuiltExecutable.facelyzr.run(arguments)
        #expect(run.status == 2, "status \(run.status): \(run.error)")
        #expect(run.error.contains(arguments[arguments.count - 2] + " must be"), "\(run.error)")
    }

    /// A negative number after an option is that option's value, so the error says what the
    /// value must be, not "Missing value" (the number looked like an option).
    @Test(.enabled(if: BuiltExecutable.facelyzr.isBuilt),
          arguments: [(["synth", "--count", "-1", "faces"], "--count must be in 1...1000000"),
                      (["synth", "--size", "-64", "faces"], "--size must be in 8...4096"),
                      (["bench", "--input-index", "-1"], "--input-index must be 0 or more"),
                      (["train", "--output", "x.safetensors", "--learning-rate", "-0.5"], "--learning-rate must be positive"),
                      (["train", "--output", "x.safetensors", "--corruption-amount", "-inf"], "--corruption-amount must be in 0...1")])
    func aNegativeValueIsReadAndRefusedWithTheRange(arguments: [String], message: String) throws {
        let run = try BuiltExecutable.facelyzr.run(arguments)
        #expect(run.status == 2, "status \(run.status): \(run.error)")
        #expect(run.error.contains(message), "\(run.error)")
    }

    /// Every usage error ends with status 2 in both programs, with the parser's message
    /// (ArgumentParser's own status would be 64); a failure of the work is 1.
    @Test(.enabled(if: BuiltExecutable.facelyzr.isBuilt && BuiltExecutable.runHost.isBuilt),
          arguments: [["bogus"], ["synth", "--no-such-option"], ["synth", "--count"], ["synth", "--count", "x", "faces"],
                      ["bench", "--runs", "1e40"], ["detect"], ["detect", "p.png", "--stride", "nan"]])
    func usageErrorsExitWithStatus2(arguments: [String]) throws {
        for program in [BuiltExecutable.facelyzr, BuiltExecutable.runHost] where program.url == BuiltExecutable.facelyzr.url
            || ["bogus", "detect"].contains(arguments[0]) {
            let run = try program.run(arguments)
            #expect(run.status == 2, "\(program.url.lastPathComponent) \(arguments): status \(run.status): \(run.error)")
            #expect(run.error.hasPrefix("Error: "), "\(run.error)")
        }
        let failure = try BuiltExecutable.runHost.run(["detect", "/nonexistent.png"])
        #expect(failure.status == 1, "status \(failure.status): \(failure.error)")
    }

    /// A bad architecture file is described in words, with the key path of what is wrong, not
    /// as Swift's `DecodingError` (issue 19 item 13).
    @Test(.enabled(if: BuiltExecutable.facelyzr.isBuilt),
          arguments: [("{\"inputHeight\": \"x\"}", "a.json: not an architecture: inputHeight: expected a number"),
                      ("{\"inputHeight\": 16}", "a.json: not an architecture: inputWidth: missing"),
                      ("{\"inputHeight\": 16,", "a.json: not an architecture: not valid JSON")])
    func aBadArchitectureFileIsDescribedInWords(json: String, message: String) throws {
        let folder = temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try Data(json.utf8).write(to: URL(fileURLWithPath: folder + "/a.json"))
        let run = try BuiltExecutable.facelyzr.run(["train", "--architecture", folder + "/a.json", "--output", folder + "/x.safetensors"])
        #expect(run.status != 0 && run.error.contains(message), "\(run.error)")
        #expect(!run.error.contains("DecodingError") && !run.error.contains("Debug description"), "\(run.error)")
    }

    /// Sizes that would take the memory of a board are refused with the limit and why, before
    /// any face is read (issue 19 item 5: they grew 37 MB/s, or took gigabytes).
    @Test(.enabled(if: BuiltExecutable.facelyzr.isBuilt),
          arguments: [(["quantize", "m.safetensors", "--calibration", "synthetic", "--out", "m.blob", "--calibration-count", "99999999"],
                       "--calibration-count must be in 1...10000"),
                      (["train", "--output", "x.safetensors", "--batch-size", "100000"], "--batch-size must be in 1...256"),
                      (["pretrain", "--output", "x.safetensors", "--batch-size", "257"], "--batch-size must be in 1...256")])
    func aSizePastTheMemoryBoundIsRefusedWithTheLimit(arguments: [String], message: String) throws {
        let run = try BuiltExecutable.facelyzr.run(arguments)
        #expect(run.status == 2, "status \(run.status): \(run.error)")
        #expect(run.error.contains(message), "\(run.error)")
    }

    /// A file that is not a blob is described in words, naming the file (issue 19 item 13).
    @Test(.enabled(if: BuiltExecutable.facelyzr.isBuilt))
    func inspectDescribesAWrongFileInWords() throws {
        let folder = temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try Data().write(to: URL(fileURLWithPath: folder + "/empty.blob"))
        try Data(String(repeating: "hello, this is text. ", count: 8).utf8).write(to: URL(fileURLWithPath: folder + "/text.blob"))
        let cases = [(folder, "\(folder): is a directory"), ("/dev/null", "/dev/null: not a valid model blob: the file has 0 bytes"),
                     (folder + "/empty.blob", "empty.blob: not a valid model blob: the file has 0 bytes"),
                     (folder + "/text.blob", "text.blob: not a valid model blob: the file does not start with FACELYZR")]
        for (file, message) in cases {
            let run = try BuiltExecutable.facelyzr.run(["inspect", file])
            #expect(run.status == 1 && run.error.contains(message), "\(run.error)")
            #expect(!run.error.contains("NSCocoaErrorDomain") && !run.error.contains("badMagic") && !run.error.contains("truncated("))
        }
    }
}

import FacelyzrTestSupport
import Foundation
import Testing
@testable import FacelyzrTrainer

/// `facelyzr train` as a user runs it: the executable `swift build --build-tests` builds beside
/// the test bundle.
@Suite struct TrainCommandTests {
    /// A run of `facelyzr` with its standard output and error together as `output` (progress
    /// lines and errors are on standard error).
    static func facelyzr(_ arguments: [String]) throws -> (status: Int32, output: String) {
        let run = try BuiltExecutable.facelyzr.run(arguments)
        return (run.status, run.all)
    }

    static let tinyArchitecture = Architecture(
        inputHeight: 16, inputWidth: 16, inputChannels: 3,
        encoder: [.conv2d(4), .maxPool2x2, .conv2d(8, stride: 2), .globalAveragePool],
        heads: [
            HeadSpec(name: "gender", task: .binary, hidden: [], labels: ["male"]),
            HeadSpec(name: "age", task: .regression, hidden: [], labels: ["age"], outputScale: 20, outputOffset: 35),
            HeadSpec(name: "attributes", task: .binary, hidden: [], labels: ["Smiling", "Eyeglasses"]),
        ])

    @Test(.enabled(if: BuiltExecutable.facelyzr.isBuilt))
    func trainWritesAFinishedCheckpointAndRefusesToResumeOnOtherData() throws {
        let folder = temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try JSONEncoder().encode(Self.tinyArchitecture).write(to: URL(fileURLWithPath: folder + "/tiny.json"))
        let checkpoint = folder + "/tiny.safetensors"
        let common = ["train", "--architecture", folder + "/tiny.json", "--output", checkpoint, "--train-count", "64",
                      "--batch-size", "8", "--pretrain-steps", "2", "--steps", "4"]
        let run = try Self.facelyzr(common + ["--test-count", "16", "--checkpoint-every", "3", "--log-every", "2"])
        #expect(run.status == 0, "\(run.output)")
        #expect(run.output.contains("step 8  supervised step 4"))
        #expect(run.output.contains("test gender: accuracy") && run.output.contains("over 16 labels"))
        let saved = try Checkpoint.read(from: checkpoint)
        #expect(saved.metadata.phase == .finished && saved.metadata.totalSteps == 2 * 2 + 4)
        #expect(saved.metadata.architecture == Self.tinyArchitecture)
        #expect(saved.metadata.dataProvenance.contains("train split, faces 0..<64"))

        let other = try Self.facelyzr(["train", "--resume", checkpoint, "--output", checkpoint, "--train-count", "64", "--data-seed", "9"])
        #expect(other.status != 0 && other.output.contains("was trained on"))

        try Data("{\"inputHeight\": 16}".utf8).write(to: URL(fileURLWithPath: folder + "/broken.json"))
        let broken = try Self.facelyzr(["train", "--architecture", folder + "/broken.json", "--output", checkpoint])
        #expect(broken.status != 0 && broken.output.contains("broken.json: not an architecture"))
    }

    @Test(.enabled(if: BuiltExecutable.facelyzr.isBuilt))
    func pretrainThenTrainFromItThenEvalAsJSON() throws {
        let folder = temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try JSONEncoder().encode(Self.tinyArchitecture).write(to: URL(fileURLWithPath: folder + "/tiny.json"))
        let pretrained = folder + "/pretrained.safetensors", trained = folder + "/trained.safetensors"
        let pretrain = try Self.facelyzr(["pretrain", "--architecture", folder + "/tiny.json", "--output", pretrained,
                                          "--count", "32", "--batch-size", "8", "--steps", "3", "--log-every", "1"])
        #expect(pretrain.status == 0, "\(pretrain.output)")
        let p = try Checkpoint.read(from: pretrained)
        #expect(p.metadata.phase == .finished && p.metadata.totalSteps == 2 * 3 && p.metadata.dataProvenance.hasPrefix("pre-training on"))

        let train = try Self.facelyzr(["train", "--init", pretrained, "--output", trained, "--train-count", "32",
                                       "--batch-size", "8", "--steps", "2", "--test-count", "0"])
        #expect(train.status == 0, "\(train.output)")
        let t = try Checkpoint.read(from: trained)
        #expect(t.metadata.plan.pretraining == nil && t.metadata.totalSteps == 2)
        // The heads' training changed the pre-trained encoder (fine-tuning), starting from it.
        #expect(t.tensors["encoder.0.weight"] != p.tensors["encoder.0.weight"])

        let eval = try Self.facelyzr(["eval", trained, "--count", "20", "--json", "--report", folder + "/report.json"])
        #expect(eval.status == 0, "\(eval.output)")
        let report = try JSONDecoder().decode(EvaluationReport.self, from: Data(eval.output.utf8))
        #expect(try JSONDecoder().decode(EvaluationReport.self, from: Data(contentsOf: URL(fileURLWithPath: folder + "/report.json"))) == report)
        #expect(report.overall.faces == 20 && report.overall.genderCount == 20)
        #expect(report.byAgeBand.map(\.faces).reduce(0, +) == 20)
    }

    @Test(.enabled(if: BuiltExecutable.facelyzr.isBuilt))
    func experimentWritesEachCellOnceAndRegeneratesTheTable() throws {
        let folder = temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let docs = folder + "/doc.md"
        func table(_ cells: String) -> String {
            "<!-- experiment sdae-vs-random \(cells): table generated by `facelyzr experiment`, do not edit -->\nold\n<!-- end experiment sdae-vs-random \(cells) -->\n"
        }
        try Data(("before\n" + table(folder + "/cells") + "between\n" + table(folder + "/variant") + "after\n").utf8)
            .write(to: URL(fileURLWithPath: docs))
        let arguments = ["experiment", "sdae-vs-random", "--budgets", "8", "--seeds", "2", "--pool", "16", "--test-count", "8",
                         "--steps", "1", "--pretrain-steps", "1", "--out", folder + "/cells", "--docs", docs]
        let first = try Self.facelyzr(arguments + ["--max-cells", "3"])
        #expect(first.status == 0, "\(first.output)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder + "/cells").count == 3)
        let second = try Self.facelyzr(arguments)
        #expect(second.status == 0, "\(second.output)")
        #expect(second.output.contains("random-8-seed2.json"))  // the one missing cell
        #expect(!second.output.contains("sdae-8-seed1.json"))  // kept, not run again
        let text = try String(contentsOfFile: docs, encoding: .utf8)
        #expect(text.hasPrefix("before\n") && text.hasSuffix("after\n") && text.components(separatedBy: "old").count == 2)
        #expect(text.contains("| 8 | random | 2 |") && text.contains("| 8 | SDAE (1 steps/block"))
        // A variant of the SDAE setting in its own folder: only its SDAE cells, in its own table.
        let variant = try Self.facelyzr(["experiment", "sdae-vs-random", "--budgets", "8", "--seeds", "1", "--pool", "16", "--test-count", "8",
                                         "--steps", "1", "--pretrain-steps", "1", "--corruption", "gaussian", "--corruption-amount", "0.5",
                                         "--setups", "sdae", "--out", folder + "/variant", "--docs", docs])
        #expect(variant.status == 0, "\(variant.output)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder + "/variant") == ["sdae-8-seed1.json"])
        let both = try String(contentsOfFile: docs, encoding: .utf8)
        #expect(both.contains("| 8 | random | 2 |") && both.contains("gaussian 0.5") && !both.contains("old"))
        let changed = try Self.facelyzr(["experiment", "sdae-vs-random", "--budgets", "8", "--seeds", "1", "--pool", "16",
                                         "--test-count", "8", "--steps", "2", "--pretrain-steps", "1", "--out", folder + "/cells", "--docs", docs])
        #expect(changed.status != 0 && changed.output.contains("was made with other options"))
    }
}

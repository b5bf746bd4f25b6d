import ArgumentParser
import FacelyzrRunCommands

/// The `facelyzr` command: one subcommand per file in this folder, listed in `--help` by job.
@main
struct Facelyzr: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "facelyzr",
        abstract: "Gender, age and facial attributes from a centered face, in int8 on ARM boards.",
        discussion: """
            Train a float model on faces, quantize it to an int8 blob, and run the blob with \
            the allocation-free runtime. Run `facelyzr help SUBCOMMAND` for details.
            """,
        subcommands: [Version.self],
        groupedSubcommands: [
            CommandGroup(name: "Data", subcommands: [Import.self, Synth.self, Scenes.self, SynthStats.self]),
            CommandGroup(name: "Train", subcommands: [Pretrain.self, Train.self, Eval.self]),
            CommandGroup(name: "Model", subcommands: [ImportModel.self, Quantize.self, Drift.self, Golden.self, Export.self, Inspect.self]),
            CommandGroup(name: "Run", subcommands: [Analyze.self, Detect.self, Stream.self, Demo.self, Bench.self]),
            // The harnesses behind the figures of docs/training.md and docs/detection.md.
            CommandGroup(name: "Lab", subcommands: [Experiment.self, DetectEval.self]),
        ]
    )
}

extension Facelyzr {
    /// Runs the command line with the exit statuses of `runExitingWithStatus` (2 for a usage
    /// error, never a signal).
    static func main() { runExitingWithStatus() }
}

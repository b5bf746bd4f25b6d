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
    /// Parses the command line with every negative number that follows a long option attached
    /// to it (`--count -1` read as `--count=-1`), so that the option's range check says what
    /// the value must be; the parser would otherwise take `-1` for an option and answer
    /// "Missing value".
    static func main() {
        main(attachingNegativeValues(Array(CommandLine.arguments.dropFirst())))
    }

    /// `arguments` with each `--option` followed by a negative number (`-1`, `-0.5`, `-inf`,
    /// `-nan`) joined into `--option=-number`; no other argument changes.
    static func attachingNegativeValues(_ arguments: [String]) -> [String] {
        var result: [String] = []
        for argument in arguments {
            if let option = result.last, option.hasPrefix("--"), option.count > 2, !option.contains("="),
               argument.hasPrefix("-"), Double(argument) != nil {
                result[result.count - 1] = option + "=" + argument
            } else {
                result.append(argument)
            }
        }
        return result
    }
}

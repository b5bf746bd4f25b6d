import ArgumentParser
import FacelyzrRunCommands

/// The `facelyzr` command: one subcommand per file in this folder.
@main
struct Facelyzr: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "facelyzr",
        abstract: "Gender, age and facial attributes from a centered face, in int8 on ARM boards.",
        discussion: """
            Train a float model on faces, quantize it to an int8 blob, and run the blob with \
            the allocation-free runtime. Run `facelyzr help SUBCOMMAND` for details.
            """,
        subcommands: [
            Version.self,
            Import.self,
            Inspect.self,
            Synth.self,
            Scenes.self,
            SynthStats.self,
            Pretrain.self,
            Train.self,
            Eval.self,
            Experiment.self,
            Bench.self,
            Quantize.self,
            Drift.self,
            Golden.self,
            Analyze.self,
            Demo.self,
            Detect.self,
            DetectEval.self,
            Export.self,
        ]
    )
}

import ArgumentParser
import FacelyzrData

/// `--json`: the report as JSON instead of text (`eval`, `drift`).
struct JSONReportOption: ParsableArguments {
    @Flag(help: "Print the report as JSON.")
    var json = false
}

/// `--quiet`: no progress lines (`quantize`, `drift`).
struct QuietOption: ParsableArguments {
    @Flag(help: "No progress lines on standard error.")
    var quiet = false

    /// Progress lines on standard error unless `--quiet`.
    func progress() -> Progress { Progress(quiet: quiet) }
}

/// `--synthetic-seed`: the population of the synthetic faces when the data is `synthetic`
/// (`quantize`, `drift`).
struct SyntheticSeedOption: ParsableArguments {
    @Option(help: "Population seed of the synthetic faces.")
    var syntheticSeed: UInt64 = 0
}

/// Bounds that several options share (docs/limits.md "Command-line options" says why).
enum OptionBounds {
    /// Faces (or scenes) of the synthetic test and calibration splits: a count of test faces or
    /// scenes cannot be more.
    static let splitCount = Int(Split.test.syntheticCount)
    /// Training steps: a million steps of 32 faces are more than a day of the float trainer.
    static let steps = 1_000_000
    /// The range training faces are drawn from at random: they are rendered or read when drawn,
    /// so this bounds no memory, only keeps the count a plausible one.
    static let drawnFaces = 1_000_000_000
    /// Test faces kept in memory for a comparison (`quantize --evaluation-count`, `drift
    /// --count`): 12 KiB each at 64x64x3, 234 MiB at the limit; CelebA's test split has 19,962.
    static let heldFaces = 20_000
    /// Timed runs of `bench`: every op's time of every run is kept.
    static let benchRuns = 100_000
    /// Compute threads: more than the largest host has cores only slows the trainer down.
    static let threads = 256
}

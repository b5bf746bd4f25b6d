import ArgumentParser

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

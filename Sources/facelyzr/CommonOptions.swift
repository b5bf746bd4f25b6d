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

/// The one range check behind the numeric options: throws a `ValidationError` that names
/// `option`, says what the value must be (`requirement`, in words, with the range) and what it
/// got, unless `value` lies in `range`. A NaN lies in no range and an infinity in no finite
/// one, so a finite range also refuses the non-finite values.
func requireOption<T: Comparable>(_ option: String, _ value: T, in range: ClosedRange<T>, _ requirement: String) throws {
    guard range.contains(value) else { throw ValidationError("\(option) must be \(requirement), not \(value)") }
}

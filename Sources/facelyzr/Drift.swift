import ArgumentParser
import FacelyzrData
import FacelyzrHost
import FacelyzrQuantizer
import FacelyzrRunCommands
import Foundation

/// `facelyzr drift`: int8 vs float (or vs the last shipped blob) on held-out faces, for CI.
struct Drift: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Compare an int8 blob with its float checkpoint or with a baseline blob; fail on thresholds.",
        discussion: """
            Runs the reference (--float CKPT, or --baseline OLD.blob) and the int8 blob --int8 \
            MODEL on the TEST split of DATA (`synthetic`, or a dataset file/directory) and prints \
            per head and output: accuracy, agreement of the decisions, MAE and RMSE, with 95% \
            confidence intervals. The int8 blob runs in the runtime itself. Thresholds compare \
            point estimates: --max-gender-drop (points, head `gender`), --max-age-mae-increase \
            (years, head `age`), --max-attribute-drop (points, mean over head `attributes`), \
            --min-agreement (percent, every binary head). Exit status: 0 when no threshold is \
            crossed, 3 when one is, 1 on errors.
            """)

    @Option(name: .customLong("float"), help: "Float checkpoint the blob was made from.")
    var floatCheckpoint: String?

    @Option(help: "Baseline int8 blob (e.g. the last shipped model) instead of a float checkpoint.")
    var baseline: String?

    @Option(help: "The int8 model blob under test.")
    var int8: String

    @Option(help: "Test faces: `synthetic` or a dataset file/directory.")
    var data: String

    @Option(help: "Test faces to use (the first N of the test split).")
    var count = 10_000

    @OptionGroup var population: SyntheticSeedOption

    @Option(help: "Largest accepted gender accuracy drop, in points.")
    var maxGenderDrop: Double?

    @Option(help: "Largest accepted age MAE increase, in years.")
    var maxAgeMaeIncrease: Double?

    @Option(help: "Largest accepted mean attribute accuracy drop, in points.")
    var maxAttributeDrop: Double?

    @Option(help: "Smallest accepted agreement of every binary head, in percent.")
    var minAgreement: Double?

    @Flag(help: "Add the per-layer SQNR of the int8 activations against the reference's.")
    var layers = false

    @Option(help: "Faces the per-layer SQNR uses (with --layers).")
    var layerFaces = 256

    @OptionGroup var output: JSONReportOption

    @OptionGroup var progressOption: QuietOption

    func validate() throws {
        guard (floatCheckpoint == nil) != (baseline == nil) else { throw ValidationError("give exactly one of --float and --baseline") }
        try requireOption("--count", count, in: 1...OptionBounds.heldFaces,
                          "in 1...\(OptionBounds.heldFaces) (the test faces are kept in memory: 234 MiB of pixels at \(OptionBounds.heldFaces))")
        try requireOption("--layer-faces", layerFaces, in: 1...OptionBounds.heldFaces, "in 1...\(OptionBounds.heldFaces) (the first of the test faces)")
        for (option, points) in [("--max-gender-drop", maxGenderDrop), ("--max-attribute-drop", maxAttributeDrop), ("--min-agreement", minAgreement)] {
            if let points { try requireOption(option, points, in: 0...100, "in 0...100 (percent)") }
        }
        if let maxAgeMaeIncrease { try requireOption("--max-age-mae-increase", maxAgeMaeIncrease, in: 0...200, "in 0...200 (years)") }
    }

    func run() throws {
        let progress = progressOption.progress()
        let outcome = Result { () throws(QuantizerError) in try report(progress) }
        progress.finish()
        switch outcome {
        case .failure(let error):
            throw CommandFailure(description: error.description)
        case .success(let report):
            print(output.json ? report.json : report.text)
            if !report.passed { throw ExitCode(3) }
        }
    }

    func report(_ progress: Progress) throws(QuantizerError) -> DriftReport {
        func open(_ path: String) throws(QuantizerError) -> LoadedModel {
            do { return try LoadedModel(path: path) } catch { throw .model(error) }
        }
        let candidate = try open(int8)
        let reference: DriftReference
        if let floatCheckpoint {
            reference = .float(try ModelExport.loadGraph(floatCheckpoint).graph, name: "float \(floatCheckpoint)")
        } else {
            reference = .int8(try open(baseline!), name: "int8 \(baseline!)")
        }
        let source: any FaceSource
        do {
            source = try openFaceSource(data, imageSize: candidate.input.height, syntheticSeed: population.syntheticSeed)
        } catch { throw .data(error) }
        let set = try EvaluationSet(SplitFaces<TestSplit>(source, limit: count), progress: progress.line)
        return try DriftEvaluation.run(
            reference: reference, candidate: candidate, candidateName: "int8 \(int8)", set: set,
            thresholds: DriftThresholds(maxGenderDrop: maxGenderDrop, maxAgeMAEIncrease: maxAgeMaeIncrease,
                                        maxAttributeDrop: maxAttributeDrop, minAgreement: minAgreement),
            layerFaces: layers ? layerFaces : 0, progress: progress.line).report
    }
}

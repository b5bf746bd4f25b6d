import ArgumentParser
import FacelyzrData
import FacelyzrFiles
import FacelyzrRunCommands
import FacelyzrSynthetic
import FacelyzrTrainer
import Foundation

/// `facelyzr eval`: scores a float checkpoint on held-out faces.
struct Eval: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Score a float checkpoint on held-out faces (gender, age, attributes, by gender and age band).",
        discussion: """
            --data synthetic scores the first --count faces of the synthetic generator's test split \
            (population --data-seed); --data DIR scores the test split of a Facelyzr dataset (written by \
            `facelyzr import`). Prints a table, or the report as JSON with --json. The metrics are defined \
            in docs/training.md ("Evaluation").
            """
    )

    @Argument(help: "The checkpoint (.safetensors) to score.")
    var checkpoint: String

    @Option(help: "synthetic, or a Facelyzr dataset directory.")
    var data = "synthetic"

    @Option(help: "Synthetic test faces to score.")
    var count = 10_000

    @OptionGroup var population: DataSeedOption

    @OptionGroup var compute: ThreadsOption

    @OptionGroup var output: JSONReportOption

    @Option(help: "Also write the report as JSON to this file (atomically).")
    var report: String?

    func validate() throws {
        try requireOption("--count", count, in: 1...OptionBounds.splitCount, "in 1...\(OptionBounds.splitCount) (faces of the synthetic test split)")
    }

    func run() throws {
        compute.apply()
        var network = try Checkpoint.read(from: checkpoint).network(file: checkpoint)
        let a = network.architecture
        // The synthetic test split is unbounded: `count` faces of it; a dataset's whole test split.
        let test = data == "synthetic"
            ? try TrainingFaces(SplitFaces<TestSplit>(population.faces(size: a.inputHeight), limit: count), architecture: a)
            : try TrainingFaces(SplitFaces<TestSplit>(DatasetFaceSource(try DatasetReader(directory: data))), architecture: a)
        let source = test.provenance
        let result = try network.evaluate(test, indices: Array(0..<test.count))
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        let text = try encoder.encode(result)
        if let report { try AtomicFileWriter.write(Array(text) + [10], to: report) }
        if output.json {
            print(String(decoding: text, as: UTF8.self))
            return
        }
        print("\(checkpoint) on \(source)")
        print(Self.table(result))
    }

    /// One line per group: gender accuracy and balanced accuracy, age MAE and RMSE, mean attribute accuracy.
    static func table(_ report: EvaluationReport) -> String {
        func f(_ x: Float?, _ digits: Int) -> String { x.map { String(format: "%.\(digits)f", $0) } ?? "-" }
        var lines = ["group      faces  gender acc  balanced  age MAE  age RMSE  attributes"]
        for s in [report.overall] + report.byGender + report.byAgeBand {
            lines.append(s.group.padding(toLength: 9, withPad: " ", startingAt: 0)
                + String(repeating: " ", count: max(0, 7 - String(s.faces).count)) + String(s.faces)
                + "  " + f(s.genderAccuracy, 4).leftPadded(10) + "  " + f(s.genderBalancedAccuracy, 4).leftPadded(8)
                + "  " + f(s.ageMAE, 2).leftPadded(7) + "  " + f(s.ageRMSE, 2).leftPadded(8)
                + "  " + f(s.meanAttributeAccuracy, 4).leftPadded(10))
        }
        for (name, accuracy) in report.overall.attributeAccuracy.sorted(by: { $0.key < $1.key }) {
            lines.append("attribute \(name): \(f(accuracy, 4))")
        }
        return lines.joined(separator: "\n")
    }
}

extension String {
    fileprivate func leftPadded(_ width: Int) -> String { String(repeating: " ", count: max(0, width - count)) + self }
}

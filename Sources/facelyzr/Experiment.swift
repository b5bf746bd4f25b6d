import ArgumentParser
import FacelyzrData
import FacelyzrFiles
import FacelyzrRunCommands
import FacelyzrSynthetic
import FacelyzrTrainer
import Foundation

/// `facelyzr experiment sdae-vs-random`: SDAE pre-training against random initialisation of the
/// same network, over label budgets and seeds, one resumable cell at a time.
struct Experiment: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Compare SDAE pre-training with random initialisation over label budgets and seeds (resumable).",
        discussion: """
            Runs every cell (setup x budget x seed) of the comparison: the standard network trained on the \
            first BUDGET faces of the synthetic train split, after SDAE pre-training on the first --pool \
            faces (labels unused; the same pool for every cell) or from random weights, scored on the \
            first --test-count faces of the test split. Each finished cell is written atomically to \
            OUT/SETUP-BUDGET-seedS.json and skipped when the command runs again, so it can be stopped and \
            continued across sessions; a cell file made with other options is an error. After each cell \
            the table between the experiment's markers in --docs is regenerated from all cell files \
            (--table-only does only that). See docs/training.md.
            """
    )

    @Argument(help: "The experiment: sdae-vs-random.")
    var name: String

    @Option(help: "Labelled training faces per cell, comma separated.")
    var budgets = "300,3000,30000"

    @Option(help: "Seeds per budget and setup (1...N).")
    var seeds = 3

    @Option(help: "Unlabelled faces SDAE pre-training reads (the first of the train split).")
    var pool = 30_000

    @Option(help: "Held-out synthetic test faces scored per cell.")
    var testCount = 10_000

    @Option(help: "Supervised steps per cell (batch 32).")
    var steps = 1_000

    @Option(help: "SDAE pre-training steps per encoder convolution.")
    var pretrainSteps = 300

    @OptionGroup var corruptionOptions: CorruptionOptions

    @Flag(help: "Train only the heads (frozen encoder) instead of fine-tuning.")
    var frozenEncoder = false

    @Option(help: "Setups to run, comma separated: sdae, random (a variant of the SDAE setting need not rerun random).")
    var setups = "sdae,random"

    @Option(help: "Directory of the cell files; its table sits between markers naming it in --docs.")
    var out = "docs/experiments/sdae"

    @Option(help: "Markdown file whose experiment table is regenerated.")
    var docs = "docs/training.md"

    @Option(help: "Stop after this many new cells (to share the machine).")
    var maxCells: Int?

    @Flag(help: "Only regenerate the table from the cell files.")
    var tableOnly = false

    @OptionGroup var compute: ThreadsOption

    /// The options a cell was made with; cells are comparable only when these agree.
    struct Settings: Codable, Equatable {
        var pool: Int
        var testCount: Int
        var steps: Int
        var pretrainSteps: Int
        var corruption: String
        var corruptionAmount: Float
        var frozenEncoder: Bool
        var generatorVersion: Int
    }

    /// One finished cell.
    struct Cell: Codable {
        var setup: String
        var budget: Int
        var seed: UInt64
        var settings: Settings
        var genderAccuracy: Float
        var genderBalancedAccuracy: Float
        var ageMAE: Float
        var ageRMSE: Float
        var meanAttributeAccuracy: Float?
        var seconds: Double
    }

    var settings: Settings {
        Settings(pool: pool, testCount: testCount, steps: steps, pretrainSteps: pretrainSteps, corruption: corruptionOptions.corruption.rawValue,
                 corruptionAmount: corruptionOptions.corruptionAmount, frozenEncoder: frozenEncoder, generatorVersion: Int(SyntheticFaces.generatorVersion))
    }

    var parsedSetups: Set<String> { Set(setups.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }) }

    func parsedBudgets() throws -> [Int] {
        let values = budgets.split(separator: ",").compactMap { Int($0.trimmingCharacters(in: .whitespaces)) }
        guard !values.isEmpty, values.count == budgets.split(separator: ",").count,
              values.allSatisfy({ (1...OptionBounds.drawnFaces).contains($0) }) else {
            throw ValidationError("--budgets: give counts in 1...\(OptionBounds.drawnFaces) separated by commas, not \(budgets)")
        }
        return values
    }

    func validate() throws {
        guard name == "sdae-vs-random" else { throw ValidationError("unknown experiment \(name) (known: sdae-vs-random)") }
        _ = try parsedBudgets()
        guard !parsedSetups.isEmpty, parsedSetups.isSubset(of: ["sdae", "random"]) else {
            throw ValidationError("--setups: sdae, random or both, not \(setups)")
        }
        try requireOption("--seeds", seeds, in: 1...100, "in 1...100 (each seed trains one model per budget and setup)")
        try requireOption("--pool", pool, in: 1...OptionBounds.drawnFaces, "in 1...\(OptionBounds.drawnFaces) (faces drawn from)")
        try requireOption("--test-count", testCount, in: 1...OptionBounds.splitCount, "in 1...\(OptionBounds.splitCount) (faces of the test split)")
        try requireOption("--steps", steps, in: 1...OptionBounds.steps, "in 1...\(OptionBounds.steps) (supervised steps)")
        try requireOption("--pretrain-steps", pretrainSteps, in: 1...OptionBounds.steps, "in 1...\(OptionBounds.steps) (steps per encoder convolution)")
        if let maxCells { try requireOption("--max-cells", maxCells, in: 1...Int.max, "positive (cells)") }
    }

    func run() throws {
        try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
        if !tableOnly {
            compute.apply()
            var made = 0
            for budget in try parsedBudgets() {
                for seed in 1...UInt64(seeds) {
                    for setup in ["sdae", "random"] where parsedSetups.contains(setup) {
                        let path = "\(out)/\(setup)-\(budget)-seed\(seed).json"
                        if let existing = try? JSONDecoder().decode(Cell.self, from: Data(contentsOf: URL(fileURLWithPath: path))) {
                            guard existing.settings == settings else {
                                throw ValidationError("\(path) was made with other options (\(existing.settings)); use another --out")
                            }
                            continue
                        }
                        if let maxCells, made >= maxCells { return try writeTable() }
                        let cell = try runCell(setup: setup, budget: budget, seed: seed)
                        let encoder = JSONEncoder()
                        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
                        try AtomicFileWriter.write(Array(try encoder.encode(cell)) + [10], to: path)
                        ProgressLine.say("\(path): gender \(cell.genderAccuracy), age MAE \(cell.ageMAE), RMSE \(cell.ageRMSE), \(Int(cell.seconds)) s")
                        made += 1
                        try writeTable()
                    }
                }
            }
        }
        try writeTable()
    }

    private func runCell(setup: String, budget: Int, seed: UInt64) throws -> Cell {
        let start = Date()
        let architecture = Architecture.standard(attributeNames: ArchitectureOptions.defaultAttributes)
        func adam(_ rate: Float, _ total: Int, decay: Float = 0) -> OptimizerConfig {
            OptimizerConfig(method: .adam, schedule: LearningRateSchedule(baseRate: rate, warmupSteps: min(100, total / 10), totalSteps: total),
                            weightDecay: decay)
        }
        let plan = TrainingPlan(
            seed: seed, batchSize: 32,
            pretraining: setup == "sdae"
                ? .init(stepsPerBlock: pretrainSteps, corruption: corruptionOptions.model, optimizer: adam(0.01, pretrainSteps))
                : nil,
            supervised: .init(steps: steps, optimizer: adam(0.005, steps, decay: 1e-4), fineTuneEncoder: !frozenEncoder))
        let faces = SyntheticFaceSource(seed: 0, size: architecture.inputHeight)
        let train = try TrainingFaces(SplitFaces<TrainSplit>(faces, limit: budget), architecture: architecture)
        let unlabelled = try TrainingFaces(SplitFaces<TrainSplit>(faces, limit: pool), architecture: architecture)
        let test = try TrainingFaces(SplitFaces<TestSplit>(faces, limit: testCount), architecture: architecture)
        var trainer = try Trainer(architecture: architecture, plan: plan, dataProvenance: train.provenance)
        var window: [Float] = []
        var windowStart = Date()
        try trainer.run(train, pretrainingData: unlabelled) { p in
            window.append(p.loss)
            if window.count == 50 {
                let rate = Double(50 * 32) / Date().timeIntervalSince(windowStart)
                ProgressLine.update("\(setup) \(budget) seed \(seed): step \(p.totalSteps) loss \(String(format: "%.4f", window.reduce(0, +) / 50)) \(Int(rate)) images/s")
                window.removeAll()
                windowStart = Date()
            }
        }
        var network = trainer.network
        let r = try network.evaluate(test, indices: Array(0..<test.count)).overall
        return Cell(setup: setup, budget: budget, seed: seed, settings: settings,
                    genderAccuracy: r.genderAccuracy ?? .nan, genderBalancedAccuracy: r.genderBalancedAccuracy ?? .nan,
                    ageMAE: r.ageMAE ?? .nan, ageRMSE: r.ageRMSE ?? .nan, meanAttributeAccuracy: r.meanAttributeAccuracy,
                    seconds: Date().timeIntervalSince(start))
    }

    /// The markers of the table of the cells in `out`.
    static func markers(_ out: String) -> (begin: String, end: String) {
        ("<!-- experiment sdae-vs-random \(out): table generated by `facelyzr experiment`, do not edit -->",
         "<!-- end experiment sdae-vs-random \(out) -->")
    }

    /// Rewrites the table between the markers of `docs` from the cell files in `out`.
    private func writeTable() throws {
        let files = try FileManager.default.contentsOfDirectory(atPath: out).filter { $0.hasSuffix(".json") }.sorted()
        let cells = try files.map { try JSONDecoder().decode(Cell.self, from: Data(contentsOf: URL(fileURLWithPath: "\(out)/\($0)"))) }
        let text = try String(contentsOfFile: docs, encoding: .utf8)
        let markers = Self.markers(out)
        guard let begin = text.range(of: markers.begin), let end = text.range(of: markers.end), begin.upperBound <= end.lowerBound else {
            throw ValidationError("\(docs) has no markers for the table of \(out) (\(markers.begin) ... \(markers.end))")
        }
        let table = Self.table(cells)
        let updated = text.replacingCharacters(in: begin.upperBound..<end.lowerBound, with: "\n" + table + "\n")
        try AtomicFileWriter.write(Array(updated.utf8), to: docs)
    }

    /// Mean ± sample standard deviation over the seeds of each (budget, setup).
    static func table(_ cells: [Cell]) -> String {
        func summary(_ values: [Float], _ digits: Int) -> String {
            let n = Float(values.count)
            let mean = values.reduce(0, +) / n
            guard values.count > 1 else { return String(format: "%.\(digits)f", mean) }  // no spread from one seed
            let sd = (values.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / (n - 1)).squareRoot()
            return String(format: "%.\(digits)f ± %.\(digits)f", mean, sd)
        }
        var lines = [
            "| labelled faces | initialisation | seeds | gender accuracy | age MAE (years) | age RMSE (years) |",
            "|---|---|---|---|---|---|",
        ]
        let groups = Dictionary(grouping: cells) { "\($0.budget) \($0.setup)" }
        for key in groups.keys.sorted(by: { a, b in
            let (x, y) = (groups[a]![0], groups[b]![0])
            return (x.budget, x.setup == "random" ? 1 : 0) < (y.budget, y.setup == "random" ? 1 : 0)
        }) {
            let g = groups[key]!.sorted { $0.seed < $1.seed }
            let s = g[0].settings
            let setup = g[0].setup == "sdae"
                ? "SDAE (\(s.pretrainSteps) steps/block, \(s.corruption) \(s.corruptionAmount), pool \(s.pool))"
                : "random"
            lines.append("| \(g[0].budget) | \(setup)\(s.frozenEncoder ? ", frozen encoder" : "") | \(g.count) | "
                + "\(summary(g.map(\.genderAccuracy), 3)) | \(summary(g.map(\.ageMAE), 2)) | \(summary(g.map(\.ageRMSE), 2)) |")
        }
        lines.append("| origin (real photographs, other data) | | | 0.98 | | 8 |")
        return lines.joined(separator: "\n")
    }
}

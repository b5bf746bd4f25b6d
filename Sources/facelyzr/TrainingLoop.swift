import ArgumentParser
import FacelyzrData
import FacelyzrFiles
import FacelyzrTrainer
import Foundation

/// The loop `facelyzr train` and `facelyzr pretrain` share: runs (or resumes) a trainer,
/// checkpointing, with a progress line, then scores the test data.
struct TrainingLoop {
    var output: String
    /// The checkpoint being resumed, if any (its provenance must match the data's).
    var resume: String?
    var checkpointEvery: Int
    var logEvery: Int
    /// Write PNG plots here: loss curves, reconstruction grids of each pre-trained block, first-layer filters.
    var plots: String?

    func fit(_ trainer: inout Trainer, on train: TrainingFaces<TrainSplit>, pretrainingOn unlabelled: TrainingFaces<TrainSplit>?,
             provenance: String, scoring test: TrainingFaces<TestSplit>) throws {
        let a = trainer.network.architecture
        if resume == nil {
            trainer.dataProvenance = provenance
        } else if trainer.dataProvenance != provenance {
            throw ValidationError("\(resume!) was trained on \(trainer.dataProvenance); these options give \(provenance)")
        }
        let cost = try a.cost()
        ProgressLine.say("network: \(cost.multiplyAccumulates) MACs, \(cost.weightCount) weights, \(cost.biasCount) biases per image")
        ProgressLine.say("data: \(provenance)")

        let start = Date()
        var window: [Float] = []
        var windowStart = Date()
        let batchSize = trainer.plan.batchSize
        var curves: [(name: String, losses: [Float])] = []
        if let plots { try FileManager.default.createDirectory(atPath: plots, withIntermediateDirectories: true) }
        while trainer.phase != .finished {
            var stop = checkpointEvery > 0 ? (trainer.totalSteps / checkpointEvery + 1) * checkpointEvery : nil
            let blockSteps = trainer.plan.pretraining?.stepsPerBlock ?? 0
            if plots != nil, case .pretraining = trainer.phase, blockSteps > 1 {
                // Stop one step before a block ends, while its decoder still exists, to picture it.
                let blockStart = trainer.totalSteps - trainer.stepInPhase
                let last = blockStart + blockSteps - 1 + (trainer.stepInPhase < blockSteps - 1 ? 0 : blockSteps)
                stop = min(stop ?? last, last)
            }
            try trainer.run(train, pretrainingData: unlabelled, stopAt: stop) { p in
                let name = Self.describe(p.phase)
                if curves.last?.name != name { curves.append((name, [])) }
                curves[curves.count - 1].losses.append(p.loss)
                window.append(p.loss)
                if window.count == logEvery {
                    let images = Double(logEvery * batchSize) / Date().timeIntervalSince(windowStart)
                    let loss = String(format: "%.5f", window.reduce(0, +) / Float(window.count))
                    ProgressLine.update("step \(p.totalSteps)  \(Self.describe(p.phase)) step \(p.stepInPhase)  loss \(loss)  \(Int(images)) images/s")
                    window.removeAll()
                    windowStart = Date()
                }
            }
            try trainer.save(to: output)
            if let plots, case .pretraining(let b) = trainer.phase, trainer.stepInPhase == blockSteps - 1 {
                let source = unlabelled ?? train
                let images = try source.batch(Array(0..<min(8, source.count))).input
                if let sample = trainer.reconstructionSample(images) {
                    try Plots.reconstructionGrid(rows: [("clean", sample.clean), ("corrupted", sample.corrupted), ("reconstructed", sample.reconstruction)], zoom: b == 0 ? 2 : 4)
                        .write(png: "\(plots)/reconstruction-block-\(b).png")
                }
            }
        }
        if let plots {
            try Plots.lossCurves(curves).write(png: "\(plots)/loss.png")
            var network = trainer.network
            if let first = network.parameterTensors()["encoder.0.weight"], first.shape.count == 4 {
                try Plots.filters(first).write(png: "\(plots)/filters.png")
            }
            ProgressLine.say("plots in \(plots)")
        }
        ProgressLine.say("trained \(trainer.totalSteps) steps in \(String(format: "%.1f", Date().timeIntervalSince(start))) s; checkpoint \(output)")
        if test.count > 0 {
            for score in try trainer.evaluate(test, indices: Array(0..<test.count)) {
                let head = a.heads.first { $0.name == score.head }!
                let what = head.task == .binary ? "accuracy" : "mean absolute error"
                ProgressLine.say("test \(score.head): \(what) \(String(format: "%.4f", score.value)) over \(score.count) labels "
                    + "(best constant answer: \(String(format: "%.4f", score.constantBaseline)))")
            }
        }
    }

    static func describe(_ phase: TrainingPhase) -> String {
        switch phase {
        case .pretraining(let b): "pretrain block \(b)"
        case .supervised: "supervised"
        case .finished: "finished"
        }
    }

    /// The architecture in the JSON file `path`, or the standard one with `attributes`.
    static func architecture(path: String?, attributes: String) throws -> Architecture {
        guard let path else {
            return .standard(attributeNames: attributes.split(separator: ",").map(String.init))
        }
        let data = try ReadOnlyFile.readAll(path: path)
        do { return try JSONDecoder().decode(Architecture.self, from: Data(data)) } catch {
            throw ValidationError("\(path): not an architecture: \(DecodingProblem.describe(error))")
        }
    }
}

extension Corruption.Kind: ExpressibleByArgument {}

import ArgumentParser
import FacelyzrData
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

    func fit(_ trainer: inout Trainer, on train: some TrainingData, pretrainingOn unlabelled: (any TrainingData)?,
             provenance: String, scoring test: some TrainingData) throws {
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
        while trainer.phase != .finished {
            let stop = checkpointEvery > 0 ? (trainer.totalSteps / checkpointEvery + 1) * checkpointEvery : nil
            try trainer.run(train, pretrainingData: unlabelled, stopAt: stop) { p in
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
            throw ValidationError("\(path): not an architecture: \(error)")
        }
    }
}

extension Corruption.Kind: ExpressibleByArgument {}

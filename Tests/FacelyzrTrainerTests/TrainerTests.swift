import FacelyzrData
import FacelyzrRandom
import Foundation
import Testing
@testable import FacelyzrTrainer

/// Tiny labelled "faces", 8x8 gray, rendered from (seed, index): a bright blob on the left for
/// label male = 1 (right for 0) whose brightness gives the age (20 to 60 years), and a dark top
/// stripe (labelled `Bangs`) for the one attribute. Every fifth gender label is unknown. Pixel
/// noise on top. Every split holds the same `count` faces: held-out data is another seed.
struct ToyFaces: FaceSource {
    var count: Int
    var seed: UInt64

    var provenance: String { "ToyFaces seed \(seed)" }
    var imageShape: [Int] { [8, 8, 1] }
    func count(in split: Split) -> Int { count }

    func face(_ index: Int, in split: Split) -> LabelledFace {
        var pixels: [UInt8] = []
        var g = SplitMix64(state: seed &* 0x9E37_79B9 &+ UInt64(index))
        let male = g.unit() < 0.5, hasStripe = g.unit() < 0.5
        let brightness = g.unit()
        let cx: Float = male ? 2 : 5
        for y in 0..<8 {
            for x in 0..<8 {
                let d2 = (Float(x) - cx) * (Float(x) - cx) + (Float(y) - 4) * (Float(y) - 4)
                var v: Float = 100 + (60 + 90 * brightness) * max(0, 1 - d2 / 6)
                if hasStripe && y == 0 { v -= 80 }
                v += g.boxMullerNormal() * 12
                pixels.append(UInt8(max(0, min(255, v))))
            }
        }
        var labels = FaceLabels(gender: index % 5 == 4 ? nil : (male ? 1 : 0), age: 20 + 40 * brightness)
        labels.attributes[.bangs] = hasStripe
        return LabelledFace(pixels: pixels, labels: labels)
    }

    /// The faces as training data of the toy architecture.
    var training: TrainingFaces<TrainSplit> { try! TrainingFaces(SplitFaces(self), architecture: .toy) }
    /// The faces as test data of the toy architecture.
    var test: TrainingFaces<TestSplit> { try! TrainingFaces(SplitFaces(self), architecture: .toy) }
}

extension Architecture {
    /// Two convolution blocks and three heads on 8x8x1 images.
    static let toy = Architecture(
        inputHeight: 8, inputWidth: 8, inputChannels: 1,
        encoder: [.conv2d(8), .maxPool2x2, .conv2d(16, stride: 2), .globalAveragePool],
        heads: [
            HeadSpec(name: "gender", task: .binary, hidden: [.dense(8, activation: .relu), .dropout(0.1)], labels: ["male"]),
            HeadSpec(name: "age", task: .regression, hidden: [.dense(8, activation: .relu)], labels: ["age"],
                     outputScale: 20, outputOffset: 40),
            HeadSpec(name: "attributes", task: .binary, hidden: [], labels: ["Bangs"]),
        ])
}

extension Architecture {
    /// `toy` with the standard network's kinds of age head and weights: an expected value over
    /// bins, loss weights on age and attributes.
    static var toyBinned: Architecture {
        var a = toy
        a.heads[1] = HeadSpec(name: "age", task: .expectedValue, hidden: [.dense(8, activation: .relu)], labels: ["age"],
                              bins: (4...12).map { Float($0 * 5) }, binSigma: 4, lossWeight: 0.5)
        a.heads[2].lossWeight = 2
        return a
    }
}

extension TrainingPlan {
    static func toy(pretrainingSteps: Int, supervisedSteps: Int) -> TrainingPlan {
        TrainingPlan(
            seed: 7, batchSize: 16,
            pretraining: pretrainingSteps == 0 ? nil : Pretraining(
                stepsPerBlock: pretrainingSteps, corruption: Corruption(.masking, amount: 0.25),
                optimizer: OptimizerConfig(method: .adam, schedule: LearningRateSchedule(baseRate: 0.01, warmupSteps: 5, totalSteps: pretrainingSteps))),
            supervised: Supervised(
                steps: supervisedSteps,
                optimizer: OptimizerConfig(method: .adam, schedule: LearningRateSchedule(baseRate: 0.01, warmupSteps: 10, totalSteps: supervisedSteps),
                                           weightDecay: 1e-4),
                fineTuneEncoder: true))
    }
}

/// All parameter values of a network by name.
func parameterValues(_ network: Network) -> [String: [Float]] {
    var n = network
    var result: [String: [Float]] = [:]
    n.visitParameters { name, p in result[name] = p.value.values }
    return result
}

@Suite struct TrainerTests {
    @Test func pretrainedNetworkLearnsAllHeadsOnHeldOutData() throws {
        ComputeThreads.set(1)
        var trainer = try Trainer(architecture: .toy, plan: .toy(pretrainingSteps: 60, supervisedSteps: 250), dataProvenance: "ToyFaces seed 1")
        var phases: [TrainingPhase] = []
        var reconstruction: [TrainingPhase: [Float]] = [:]
        try trainer.run(ToyFaces(count: 512, seed: 1).training) { p in
            if phases.last != p.phase { phases.append(p.phase) }
            if p.phase != .supervised { reconstruction[p.phase, default: []].append(p.loss) }
        }
        #expect(phases == [.pretraining(block: 0), .pretraining(block: 1), .supervised])
        #expect(trainer.phase == .finished && trainer.totalSteps == 370)
        for (phase, losses) in reconstruction {
            let first = losses.prefix(10).reduce(0, +), last = losses.suffix(10).reduce(0, +)
            #expect(last < first * 0.7, "\(phase): reconstruction \(first / 10) -> \(last / 10)")
        }
        let scores = try trainer.evaluate(ToyFaces(count: 512, seed: 99).test, indices: Array(0..<256))
        #expect(scores.map(\.head) == ["gender", "age", "attributes"])
        #expect(scores[0].count == 256 - 51)  // unknown genders are not scored
        #expect(scores[0].value > 0.9, "gender accuracy \(scores[0].value)")
        #expect(abs(scores[0].constantBaseline - 0.5) < 0.1)
        #expect(scores[1].value < 6, "age MAE \(scores[1].value) years (predicting the mean gives about 10)")
        #expect(scores[2].value > 0.9, "attribute accuracy \(scores[2].value)")
    }

    /// With one thread, and with two (pre-training and supervised steps cut into two shards,
    /// dropout drawn per shard), a run interrupted anywhere (in either SDAE block, between them,
    /// in the supervised phase) and resumed with the same thread count ends with the weights of
    /// an uninterrupted one.
    @Test(arguments: [25, 60, 100, 200], [1, 2])
    func resumedRunEndsWithTheSameWeightsAsAnUninterruptedOne(_ interruption: Int, threads: Int) throws {
        try expectResumedRunEndsAsAnUninterruptedOne(.toy, interruption: interruption, threads: threads)
    }

    /// The same with an expected-value age head and loss weights, interrupted in the supervised phase.
    @Test(arguments: [1, 2])
    func resumedRunWithAnExpectedValueHeadEndsWithTheSameWeights(threads: Int) throws {
        try expectResumedRunEndsAsAnUninterruptedOne(.toyBinned, interruption: 170, threads: threads)
    }

    func expectResumedRunEndsAsAnUninterruptedOne(_ architecture: Architecture, interruption: Int, threads: Int) throws {
        ComputeThreads.set(1)
        let data = try TrainingFaces(SplitFaces<TrainSplit>(ToyFaces(count: 128, seed: 2)), architecture: architecture)
        let plan = TrainingPlan.toy(pretrainingSteps: 60, supervisedSteps: 100)
        var uninterrupted = try Trainer(architecture: architecture, plan: plan, dataProvenance: "ToyFaces seed 2")
        uninterrupted.threads = threads
        try uninterrupted.run(data)

        let folder = temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        var first = try Trainer(architecture: architecture, plan: plan, dataProvenance: "ToyFaces seed 2")
        first.threads = threads
        try first.run(data, stopAt: interruption)
        #expect(first.totalSteps == interruption)
        try first.save(to: folder + "/run.safetensors")
        var resumed = try Trainer(resumingFrom: folder + "/run.safetensors")
        resumed.threads = threads
        #expect(resumed.totalSteps == interruption && resumed.phase == first.phase)
        try resumed.run(data)
        #expect(resumed.totalSteps == 220)
        #expect(parameterValues(resumed.network) == parameterValues(uninterrupted.network))
    }

    /// A supervised step, or a pre-training step of the first block, cut into shards computes
    /// the batch's gradient: one SGD step (no dropout, and the corruption drawn for the whole
    /// batch first) moves every weight as the one-thread step does, up to the summation order;
    /// and not bit for bit, so the shards did run.
    @Test(arguments: [false, true])
    func shardedStepTakesTheSameGradientAsOneThread(pretraining: Bool) throws {
        ComputeThreads.set(1)
        var architecture = Architecture.toy
        architecture.heads[0].hidden = [.dense(8, activation: .relu)]
        let sgd = OptimizerConfig(method: .sgd, schedule: LearningRateSchedule(baseRate: 1, totalSteps: 1))
        let plan = TrainingPlan(
            seed: 3, batchSize: 16,
            pretraining: pretraining ? .init(stepsPerBlock: 1, corruption: Corruption(.masking, amount: 0.25), optimizer: sgd) : nil,
            supervised: .init(steps: 1, optimizer: sgd, fineTuneEncoder: true))
        let data = ToyFaces(count: 64, seed: 4).training
        let start = try Trainer(architecture: architecture, plan: plan, dataProvenance: "")
        var runs: [[String: [Float]]] = []
        for threads in [1, 2, 3] {
            var trainer = start
            trainer.threads = threads
            try trainer.run(data, stopAt: 1)
            runs.append(parameterValues(trainer.network))
        }
        let before = parameterValues(start.network)
        var largest: Float = 0
        for (name, values) in before {
            let step = zip(runs[0][name]!, values).map { abs($0 - $1) }
            largest = max(largest, step.max()!)
            for sharded in runs[1...] {
                for (i, v) in sharded[name]!.enumerated() {
                    #expect(abs(v - runs[0][name]![i]) <= 1e-5 * max(1, step.max()!), "\(name)[\(i)]")
                }
            }
        }
        #expect(largest > 1e-3)  // the step moved the weights
        #expect(runs[1] != runs[0])
    }

    /// Counts the batches drawn from another face source.
    final class CountingData: FaceSource, @unchecked Sendable {
        let source: ToyFaces
        var batches = 0
        init(_ source: ToyFaces) { self.source = source }
        var provenance: String { source.provenance }
        var imageShape: [Int] { source.imageShape }
        func count(in split: Split) -> Int { source.count(in: split) }
        func face(_ index: Int, in split: Split) -> LabelledFace { source.face(index, in: split) }
        func faces(_ indices: [Int], in split: Split) -> [LabelledFace] {
            batches += 1
            return indices.map { source.face($0, in: split) }
        }
    }

    @Test func pretrainingReadsItsOwnDataWhenGiven() throws {
        let labelled = CountingData(ToyFaces(count: 16, seed: 6)), unlabelled = CountingData(ToyFaces(count: 64, seed: 7))
        var trainer = try Trainer(architecture: .toy, plan: .toy(pretrainingSteps: 3, supervisedSteps: 4), dataProvenance: "")
        try trainer.run(TrainingFaces(SplitFaces(labelled), architecture: .toy),
                        pretrainingData: TrainingFaces(SplitFaces(unlabelled), architecture: .toy))
        #expect(unlabelled.batches == 2 * 3 && labelled.batches == 4)
    }

    @Test func pretrainingRejectsConvolutionsItCannotDecode() throws {
        var valid = Architecture.toy
        valid.encoder[0] = .conv2d(8, padding: .valid)
        #expect(throws: ArchitectureError.self) {
            try Trainer(architecture: valid, plan: .toy(pretrainingSteps: 2, supervisedSteps: 2), dataProvenance: "")
        }
        // Without pre-training the same network trains.
        var trainer = try Trainer(architecture: valid, plan: .toy(pretrainingSteps: 0, supervisedSteps: 2), dataProvenance: "")
        try trainer.run(ToyFaces(count: 16, seed: 5).training)
        #expect(trainer.phase == .finished)
    }

    @Test func checkpointCarriesMetadataAndItsNetworkReadsBack() throws {
        var trainer = try Trainer(architecture: .toy, plan: .toy(pretrainingSteps: 4, supervisedSteps: 4), dataProvenance: "toy")
        try trainer.run(ToyFaces(count: 32, seed: 3).training, stopAt: 2)
        let folder = temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let path = folder + "/c.safetensors"
        try trainer.save(to: path)
        let checkpoint = try Checkpoint.read(from: path)
        #expect(checkpoint.metadata.architecture == .toy)
        #expect(checkpoint.metadata.inputNormalization == InputNormalization(offset: 128, scale: 128))
        #expect(checkpoint.metadata.phase == .pretraining(block: 0) && checkpoint.metadata.optimizerStep == 2)
        #expect(checkpoint.metadata.dataProvenance == "toy" && checkpoint.metadata.plan.seed == 7)
        #expect(checkpoint.metadata.randomState.count == 16)
        #expect(checkpoint.tensors["sdae.decoder.weight"]?.shape == [1, 3, 3, 8])
        #expect(checkpoint.tensors["optimizer.second.decoder.bias"]?.shape == [1])
        #expect(parameterValues(try checkpoint.network(file: path)) == parameterValues(trainer.network))
    }

    @Test func damagedCheckpointsGiveTypedErrorsNamingTheFile() throws {
        var trainer = try Trainer(architecture: .toy, plan: .toy(pretrainingSteps: 0, supervisedSteps: 4), dataProvenance: "toy")
        try trainer.run(ToyFaces(count: 32, seed: 4).training, stopAt: 1)
        let good = trainer.checkpoint()
        let folder = temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let path = folder + "/bad.safetensors"

        try SafetensorsFile(tensors: good.tensors, metadata: ["format": "something else"]).write(to: path)
        #expect(throws: CheckpointError.notACheckpoint(file: path, reason: "__metadata__.format is not facelyzr-checkpoint-1")) {
            try Trainer(resumingFrom: path)
        }

        var missing = good
        missing.tensors["heads.age.0.weight"] = nil
        try missing.write(to: path)
        #expect(throws: CheckpointError.missingTensor(file: path, name: "heads.age.0.weight")) { try Trainer(resumingFrom: path) }

        var reshaped = good
        reshaped.tensors["encoder.0.bias"] = Tensor(zeros: [9])
        try reshaped.write(to: path)
        #expect(throws: CheckpointError.shapeMismatch(file: path, name: "encoder.0.bias", expected: [8], found: [9])) {
            try Trainer(resumingFrom: path)
        }

        var badMoment = good
        badMoment.tensors["optimizer.first.encoder.0.bias"] = Tensor(zeros: [3])
        try badMoment.write(to: path)
        #expect(throws: CheckpointError.shapeMismatch(file: path, name: "optimizer.first.encoder.0.bias", expected: [8], found: [3])) {
            try Trainer(resumingFrom: path)
        }

        try Data([1, 2, 3]).write(to: URL(fileURLWithPath: path))
        #expect(throws: CheckpointError.unreadable(SafetensorsError(file: path, problem: .tooShort(byteCount: 3)))) {
            try Trainer(resumingFrom: path)
        }
        #expect("\(CheckpointError.missingTensor(file: path, name: "x"))".hasPrefix(path))
    }
}

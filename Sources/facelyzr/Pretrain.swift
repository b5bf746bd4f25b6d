import ArgumentParser
import FacelyzrData
import FacelyzrSynthetic
import FacelyzrTrainer
import Foundation

/// `facelyzr pretrain`: SDAE pre-training of the encoder only; `facelyzr train --init` continues.
struct Pretrain: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Pre-train the encoder as a stacked denoising autoencoder (no labels), writing a checkpoint.",
        discussion: """
            Each encoder convolution is trained as a denoising autoencoder on the frozen outputs of the \
            layers below (--steps per convolution), reading the first --count faces of the synthetic \
            train split (labels unused) or the train split of --dataset. The checkpoint holds the \
            pre-trained encoder and untrained heads; `facelyzr train --init CHECKPOINT` trains the heads \
            on it. --resume continues an interrupted run (same data options). See docs/training.md.
            """
    )

    @Option(help: "Write the checkpoint here (.safetensors).")
    var output: String

    @Option(help: "Continue the run in this checkpoint (give the same data options).")
    var resume: String?

    @Option(help: "Architecture JSON file (default: the standard 64x64 network).")
    var architecture: String?

    @Option(help: "Attribute head labels (CelebA names), comma separated.")
    var attributes = Train.defaultAttributes.joined(separator: ",")

    @Option(help: "Pre-train on this Facelyzr dataset directory instead of synthetic faces.")
    var dataset: String?

    @Option(help: "Population seed of the synthetic faces.")
    var dataSeed: UInt64 = 0

    @Option(help: "Unlabelled faces (first faces of the synthetic train split).")
    var count = 30_000

    @Option(help: "Seed of the weights, batches, corruption and decoders.")
    var seed: UInt64 = 1

    @Option(help: "Images per step.")
    var batchSize = 32

    @Option(help: "Steps per encoder convolution.")
    var steps = 300

    @OptionGroup var corruption: CorruptionOptions

    @Option(help: "Peak learning rate (Adam, cosine schedule with warm-up), per block.")
    var learningRate: Float = 0.01

    @OptionGroup var loopOptions: TrainingLoopOptions

    func validate() throws {
        guard batchSize > 0, count > 0, steps > 0 else {
            throw ValidationError("counts, sizes and steps must be positive")
        }
    }

    func run() throws {
        let loop = loopOptions.loop(output: output, resume: resume)
        var trainer: Trainer
        if let resume {
            trainer = try Trainer(resumingFrom: resume)
        } else {
            let plan = TrainingPlan(
                seed: seed, batchSize: batchSize,
                pretraining: corruption.pretraining(steps: steps, learningRate: learningRate),
                supervised: .init(steps: 0, optimizer: OptimizerConfig(method: .adam, schedule: LearningRateSchedule(
                    baseRate: 0, warmupSteps: 0, totalSteps: 0)), fineTuneEncoder: false))
            trainer = try Trainer(architecture: try TrainingLoop.architecture(path: architecture, attributes: attributes),
                                  plan: plan, dataProvenance: "")
        }
        let a = trainer.network.architecture
        let faces: any FaceSource = if let dataset {
            DatasetFaceSource(try DatasetReader(directory: dataset))
        } else {
            SyntheticFaceSource(seed: dataSeed, size: a.inputHeight)
        }
        // The synthetic train split is unbounded: `count` faces of it; a dataset's whole train split.
        let data = try TrainingFaces(SplitFaces<TrainSplit>(faces, limit: dataset == nil ? count : nil), architecture: a)
        // No test faces: pre-training scores nothing.
        let none = try TrainingFaces(SplitFaces<TestSplit>(faces, limit: 0), architecture: a)
        try loop.fit(&trainer, on: data, pretrainingOn: nil, provenance: "pre-training on " + data.provenance, scoring: none)
    }
}

import ArgumentParser
import FacelyzrData
import FacelyzrRunCommands
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

    @OptionGroup var network: ArchitectureOptions

    @OptionGroup var source: TrainingFacesOptions

    @Option(help: "Unlabelled faces (first faces of the synthetic train split).")
    var count = 30_000

    @OptionGroup var batches: PlanSeedOptions

    @Option(help: "Steps per encoder convolution.")
    var steps = 300

    @OptionGroup var corruption: CorruptionOptions

    @Option(help: "Peak learning rate (Adam, cosine schedule with warm-up), per block.")
    var learningRate: Float = 0.01

    @OptionGroup var loopOptions: TrainingLoopOptions

    func validate() throws {
        try requireOption("--count", count, in: 1...OptionBounds.drawnFaces, "in 1...\(OptionBounds.drawnFaces) (faces drawn from)")
        try requireOption("--steps", steps, in: 1...OptionBounds.steps, "in 1...\(OptionBounds.steps) (steps per encoder convolution)")
        try CorruptionOptions.validate(learningRate: learningRate)
    }

    func run() throws {
        let loop = loopOptions.loop(output: output)
        var trainer: Trainer
        if let resume = loopOptions.resume {
            trainer = try Trainer(resumingFrom: resume)
        } else {
            let plan = TrainingPlan(
                seed: batches.seed, batchSize: batches.batchSize,
                pretraining: corruption.pretraining(steps: steps, learningRate: learningRate),
                supervised: .init(steps: 0, optimizer: OptimizerConfig(method: .adam, schedule: LearningRateSchedule(
                    baseRate: 0, warmupSteps: 0, totalSteps: 0)), fineTuneEncoder: false))
            trainer = try Trainer(architecture: try network.load(), plan: plan, dataProvenance: "")
        }
        let a = trainer.network.architecture
        let faces: any FaceSource = if let dataset = source.dataset {
            DatasetFaceSource(try DatasetReader(directory: dataset))
        } else {
            source.population.faces(size: a.inputHeight)
        }
        // The synthetic train split is unbounded: `count` faces of it; a dataset's whole train split.
        let data = try TrainingFaces(SplitFaces<TrainSplit>(faces, limit: source.dataset == nil ? count : nil), architecture: a)
        // No test faces: pre-training scores nothing.
        let none = try TrainingFaces(SplitFaces<TestSplit>(faces, limit: 0), architecture: a)
        try loop.fit(&trainer, on: data, pretrainingOn: nil, provenance: "pre-training on " + data.provenance, scoring: none)
    }
}

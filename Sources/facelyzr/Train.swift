import ArgumentParser
import FacelyzrData
import FacelyzrRunCommands
import FacelyzrSynthetic
import FacelyzrTrainer
import Foundation

/// `facelyzr train`: SDAE pre-training and heads on synthetic faces or a dataset, with checkpoints.
struct Train: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Train the float model (SDAE pre-training, then heads) on synthetic faces or a dataset.",
        discussion: """
            Each encoder convolution is first trained as a denoising autoencoder on the frozen \
            outputs of the layers below (--pretrain-steps per convolution; 0 starts from random \
            weights), then the gender, age and attribute heads learn on the labels (--steps), \
            fine-tuning the encoder unless --frozen-encoder. Training faces are the first \
            --train-count faces of the generator's train split, rendered as needed; the scores \
            at the end are on the first --test-count faces of its test split. With --dataset DIR (written \
            by `facelyzr import`), training uses the dataset's train split and scores its test split; the \
            network's input size must be the dataset's image size; for a dataset without attribute labels \
            (UTKFace) --attributes "" drops the attribute head, which would learn nothing. The checkpoint \
            (a safetensors file with the architecture, plan and RNG state in its metadata) is \
            written atomically every --checkpoint-every steps and at the end; --resume continues \
            one with the same data options. With --threads 1 a resumed run ends with exactly the \
            weights of an uninterrupted one. See docs/training.md.
            """
    )

    @Option(help: "Write the checkpoint here (.safetensors).")
    var output: String?

    @Option(name: .customLong("init"), help: "Start from this checkpoint's weights (e.g. written by `facelyzr pretrain`; its architecture is used, no further pre-training).")
    var initial: String?

    @OptionGroup var network: ArchitectureOptions

    @Flag(help: "Print the architecture as JSON and exit.")
    var printArchitecture = false

    @OptionGroup var source: TrainingFacesOptions

    @Option(help: "Training faces (first faces of the train split).")
    var trainCount = 20_000

    @Option(help: "Faces pre-training reads, labels unused (first faces of the train split; default: --train-count).")
    var pretrainCount: Int?

    @Option(help: "Test faces scored at the end (first faces of the test split).")
    var testCount = 1_000

    @OptionGroup var batches: PlanSeedOptions

    @Option(help: "Pre-training steps per encoder convolution (0: no pre-training).")
    var pretrainSteps = 300

    @OptionGroup var corruption: CorruptionOptions

    @Option(help: "Supervised steps.")
    var steps = 2_000

    @Option(help: "Peak learning rate (Adam, cosine schedule with warm-up).")
    var learningRate: Float = 0.005

    @Option(help: "Decoupled weight decay.")
    var weightDecay: Float = 1e-4

    @Flag(help: "Train only the heads on the (pre-trained) encoder's features.")
    var frozenEncoder = false

    @OptionGroup var loopOptions: TrainingLoopOptions

    func validate() throws {
        let drawn = OptionBounds.drawnFaces, maxSteps = OptionBounds.steps
        try requireOption("--train-count", trainCount, in: 1...drawn, "in 1...\(drawn) (faces drawn from)")
        if let pretrainCount { try requireOption("--pretrain-count", pretrainCount, in: 1...drawn, "in 1...\(drawn) (faces drawn from)") }
        try requireOption("--test-count", testCount, in: 0...OptionBounds.splitCount, "in 0...\(OptionBounds.splitCount) (faces of the test split)")
        try requireOption("--pretrain-steps", pretrainSteps, in: 0...maxSteps, "in 0...\(maxSteps) (steps per encoder convolution; 0: none)")
        try requireOption("--steps", steps, in: 1...maxSteps, "in 1...\(maxSteps) (supervised steps)")
        try CorruptionOptions.validate(learningRate: learningRate)
        try requireOption("--weight-decay", weightDecay, in: 0...1, "in 0...1 (the fraction of a weight removed per unit of learning rate)")
        guard printArchitecture || output != nil else { throw ValidationError("give --output FILE.safetensors") }
    }

    func run() throws {
        if printArchitecture {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            print(String(decoding: try encoder.encode(try network.load()), as: UTF8.self))
            return
        }
        let loop = loopOptions.loop(output: output!)
        var trainer: Trainer
        if let resume = loopOptions.resume {
            trainer = try Trainer(resumingFrom: resume)
        } else {
            let plan = TrainingPlan(
                seed: batches.seed, batchSize: batches.batchSize,
                pretraining: pretrainSteps == 0 || initial != nil
                    ? nil : corruption.pretraining(steps: pretrainSteps, learningRate: 0.01),
                supervised: .init(
                    steps: steps,
                    optimizer: OptimizerConfig(method: .adam, schedule: LearningRateSchedule(
                        baseRate: learningRate, warmupSteps: min(100, steps / 10), totalSteps: steps), weightDecay: weightDecay),
                    fineTuneEncoder: !frozenEncoder))
            if let initial {
                let network = try Checkpoint.read(from: initial).network(file: initial)
                trainer = try Trainer(network: network, plan: plan, dataProvenance: "")
            } else {
                trainer = try Trainer(architecture: try network.load(), plan: plan, dataProvenance: "")
            }
        }
        let a = trainer.network.architecture
        if let dataset = source.dataset {
            let faces = DatasetFaceSource(try DatasetReader(directory: dataset))
            let train = try TrainingFaces(SplitFaces<TrainSplit>(faces), architecture: a)
            let test = try TrainingFaces(SplitFaces<TestSplit>(faces), architecture: a)
            try loop.fit(&trainer, on: train, pretrainingOn: nil, provenance: train.provenance, scoring: test)
        } else {
            let faces = source.population.faces(size: a.inputHeight)
            let train = try TrainingFaces(SplitFaces<TrainSplit>(faces, limit: trainCount), architecture: a)
            let test = try TrainingFaces(SplitFaces<TestSplit>(faces, limit: testCount), architecture: a)
            let unlabelled = try TrainingFaces(SplitFaces<TrainSplit>(faces, limit: pretrainCount ?? trainCount), architecture: a)
            try loop.fit(&trainer, on: train, pretrainingOn: unlabelled,
                         provenance: train.provenance + "; pre-training on faces 0..<\(unlabelled.count)", scoring: test)
        }
    }
}

import ArgumentParser
import FacelyzrData
import FacelyzrRunCommands
import FacelyzrTrainer

/// The compute threads of the float code (`train`, `pretrain`, `eval`, `experiment`).
struct ThreadsOption: ParsableArguments {
    @Option(help: "Compute threads: a training or pre-training step splits its batch across them (frozen lower blocks and scoring use them as OpenBLAS threads). 1: deterministic, bit for bit; a step is also reproducible for the same count above 1.")
    var threads = 1

    func validate() throws {
        try requireOption("--threads", threads, in: 1...OptionBounds.threads, "in 1...\(OptionBounds.threads) (compute threads)")
    }

    /// Makes the float code use `threads`.
    func apply() { ComputeThreads.set(threads) }
}

/// The architecture to build when not resuming: a JSON file, or the standard network with
/// the given attribute labels (`facelyzr train` and `facelyzr pretrain`).
struct ArchitectureOptions: ParsableArguments {
    @Option(help: "Architecture JSON file (default: the standard 64x64 network; see `facelyzr train --print-architecture`).")
    var architecture: String?

    /// The attribute head's labels unless told otherwise.
    static let defaultAttributes = ["Smiling", "Eyeglasses", "Wearing_Hat", "Bald", "Young", "No_Beard", "Mouth_Slightly_Open", "Wearing_Lipstick"]

    @Option(help: "Attribute head labels (CelebA names), comma separated.")
    var attributes = defaultAttributes.joined(separator: ",")

    /// The architecture these options name.
    func load() throws -> Architecture { try TrainingLoop.architecture(path: architecture, attributes: attributes) }
}

/// The population of the synthetic faces (`--data-seed`: `train`, `pretrain`, `eval`).
struct DataSeedOption: ParsableArguments {
    @Option(help: "Population seed of the synthetic faces.")
    var dataSeed: UInt64 = 0

    /// The synthetic faces of this population at `size` x `size`.
    func faces(size: Int) -> SyntheticFaceSource { SyntheticFaceSource(seed: dataSeed, size: size) }
}

/// Where `facelyzr train` and `facelyzr pretrain` read faces: a dataset, or the synthetic generator.
struct TrainingFacesOptions: ParsableArguments {
    @Option(help: "Train on this Facelyzr dataset directory instead of synthetic faces.")
    var dataset: String?

    @OptionGroup var population: DataSeedOption
}

/// The seed and the batch size of a new training plan (`facelyzr train` and `facelyzr pretrain`).
struct PlanSeedOptions: ParsableArguments {
    @Option(help: "Seed of the weights, batches, corruption, decoders and dropout.")
    var seed: UInt64 = 1

    @Option(help: "Images per step.")
    var batchSize = 32

    func validate() throws {
        // The float trainer holds every activation of the batch and its gradient: about 3.1 MB
        // per 64x64 image of the standard network (837 MB peak at 256, 132 MB at 32).
        try requireOption("--batch-size", batchSize, in: 1...256, "in 1...256 (about 3.1 MB of memory per image: 840 MB at 256)")
    }
}

/// How `facelyzr train` and `facelyzr pretrain` run their ``TrainingLoop``: resuming, threads,
/// checkpoints, plots and progress (the same options, help and defaults in both).
struct TrainingLoopOptions: ParsableArguments {
    @Option(help: "Continue the run in this checkpoint (give the same data options; the plan comes from the checkpoint).")
    var resume: String?

    @OptionGroup var compute: ThreadsOption

    @Option(help: "Write the checkpoint every this many steps (0: only at the end).")
    var checkpointEvery = 500

    @Option(help: "Write PNG plots into this directory: loss curves, each block's reconstruction grid, first-layer filters.")
    var plots: String?

    @Option(help: "Print the mean loss every this many steps.")
    var logEvery = 50

    func validate() throws {
        try requireOption("--checkpoint-every", checkpointEvery, in: 0...OptionBounds.steps, "in 0...\(OptionBounds.steps) (steps; 0: only at the end)")
        try requireOption("--log-every", logEvery, in: 1...OptionBounds.steps, "in 1...\(OptionBounds.steps) (steps)")
    }

    /// Sets the compute threads and returns the loop writing `output` (resuming `resume`).
    func loop(output: String) -> TrainingLoop {
        compute.apply()
        return TrainingLoop(output: output, resume: resume, checkpointEvery: checkpointEvery, logEvery: logEvery, plots: plots)
    }
}

/// The corruption of SDAE pre-training, shared by `facelyzr train` and `facelyzr pretrain`.
struct CorruptionOptions: ParsableArguments {
    @Option(help: "Corruption of the pre-training input: masking or gaussian.")
    var corruption: Corruption.Kind = .masking

    @Option(help: "Masked fraction, or the noise's standard deviation.")
    var corruptionAmount: Float = 0.25

    func validate() throws {
        // Inputs are normalised to -1...1: a larger fraction or deviation is no longer noise on a face.
        try requireOption("--corruption-amount", corruptionAmount, in: 0...1,
                          "in 0...1 (the masked fraction, or the noise's standard deviation on inputs in -1...1)")
    }

    /// Refuses a `--learning-rate` Adam cannot step with: positive, finite and at most 1
    /// (`train` and `pretrain`).
    static func validate(learningRate: Float) throws {
        try requireOption("--learning-rate", learningRate, in: Float.leastNormalMagnitude...1, "positive and at most 1")
    }

    /// The corruption these options describe.
    var model: Corruption { Corruption(corruption, amount: corruptionAmount) }

    /// Pre-training of `steps` per encoder convolution with this corruption: Adam at peak
    /// `learningRate`, cosine schedule after a warm-up of a tenth of the steps (at most 20).
    func pretraining(steps: Int, learningRate: Float) -> TrainingPlan.Pretraining {
        .init(stepsPerBlock: steps, corruption: model,
              optimizer: OptimizerConfig(method: .adam, schedule: LearningRateSchedule(
                  baseRate: learningRate, warmupSteps: min(20, steps / 10), totalSteps: steps)))
    }
}

import ArgumentParser
import FacelyzrTrainer

/// How `facelyzr train` and `facelyzr pretrain` run their ``TrainingLoop``: threads,
/// checkpoints, plots and progress (the same options, help and defaults in both).
struct TrainingLoopOptions: ParsableArguments {
    @Option(help: "OpenBLAS threads (1: deterministic, resumable bit for bit).")
    var threads = 1

    @Option(help: "Write the checkpoint every this many steps (0: only at the end).")
    var checkpointEvery = 500

    @Option(help: "Write PNG plots into this directory: loss curves, each block's reconstruction grid, first-layer filters.")
    var plots: String?

    @Option(help: "Print the mean loss every this many steps.")
    var logEvery = 50

    func validate() throws {
        guard threads > 0, logEvery > 0, checkpointEvery >= 0 else {
            throw ValidationError("--threads and --log-every must be positive, --checkpoint-every not negative")
        }
    }

    /// Sets the OpenBLAS threads and returns the loop writing `output` (resuming `resume`).
    func loop(output: String, resume: String?) -> TrainingLoop {
        ComputeThreads.set(threads)
        return TrainingLoop(output: output, resume: resume, checkpointEvery: checkpointEvery, logEvery: logEvery, plots: plots)
    }
}

/// The corruption of SDAE pre-training, shared by `facelyzr train` and `facelyzr pretrain`.
struct CorruptionOptions: ParsableArguments {
    @Option(help: "Corruption of the pre-training input: masking or gaussian.")
    var corruption: Corruption.Kind = .masking

    @Option(help: "Masked fraction, or the noise's standard deviation.")
    var corruptionAmount: Float = 0.25

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

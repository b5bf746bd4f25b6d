import ArgumentParser
import FacelyzrData
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

    @Option(help: "Continue the run in this checkpoint (give the same data options).")
    var resume: String?

    @Option(help: "Architecture JSON file (default: the standard 64x64 network; see --print-architecture).")
    var architecture: String?

    @Flag(help: "Print the architecture as JSON and exit.")
    var printArchitecture = false

    @Option(help: "Attribute head labels (CelebA names), comma separated.")
    var attributes = "Smiling,Eyeglasses,Wearing_Hat,Bald,Young,No_Beard,Mouth_Slightly_Open,Wearing_Lipstick"

    @Option(help: "Train on this Facelyzr dataset directory instead of synthetic faces.")
    var dataset: String?

    @Option(help: "Population seed of the synthetic faces.")
    var dataSeed: UInt64 = 0

    @Option(help: "Training faces (first faces of the train split).")
    var trainCount = 20_000

    @Option(help: "Faces pre-training reads, labels unused (first faces of the train split; default: --train-count).")
    var pretrainCount: Int?

    @Option(help: "Test faces scored at the end (first faces of the test split).")
    var testCount = 1_000

    @Option(help: "Seed of the weights, batches, corruption and dropout.")
    var seed: UInt64 = 1

    @Option(help: "Images per step.")
    var batchSize = 32

    @Option(help: "Pre-training steps per encoder convolution (0: no pre-training).")
    var pretrainSteps = 300

    @Option(help: "Corruption of the pre-training input: masking or gaussian.")
    var corruption: Corruption.Kind = .masking

    @Option(help: "Masked fraction, or the noise's standard deviation.")
    var corruptionAmount: Float = 0.25

    @Option(help: "Supervised steps.")
    var steps = 2_000

    @Option(help: "Peak learning rate (Adam, cosine schedule with warm-up).")
    var learningRate: Float = 0.005

    @Option(help: "Decoupled weight decay.")
    var weightDecay: Float = 1e-4

    @Flag(help: "Train only the heads on the (pre-trained) encoder's features.")
    var frozenEncoder = false

    @Option(help: "OpenBLAS threads (1: deterministic, resumable bit for bit).")
    var threads = 1

    @Option(help: "Write the checkpoint every this many steps (0: only at the end).")
    var checkpointEvery = 500

    @Option(help: "Print the mean loss every this many steps.")
    var logEvery = 50

    func validate() throws {
        guard batchSize > 0, trainCount > 0, (pretrainCount ?? 1) > 0, testCount >= 0, threads > 0, logEvery > 0, checkpointEvery >= 0 else {
            throw ValidationError("counts, sizes and intervals must be positive")
        }
        guard printArchitecture || output != nil else { throw ValidationError("give --output FILE.safetensors") }
    }

    func run() throws {
        if printArchitecture {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            print(String(decoding: try encoder.encode(try loadArchitecture()), as: UTF8.self))
            return
        }
        let output = output!
        ComputeThreads.set(threads)
        var trainer: Trainer
        if let resume {
            trainer = try Trainer(resumingFrom: resume)
        } else {
            let plan = TrainingPlan(
                seed: seed, batchSize: batchSize,
                pretraining: pretrainSteps == 0 ? nil : .init(
                    stepsPerBlock: pretrainSteps, corruption: Corruption(corruption, amount: corruptionAmount),
                    optimizer: OptimizerConfig(method: .adam, schedule: LearningRateSchedule(
                        baseRate: 0.01, warmupSteps: min(20, pretrainSteps / 10), totalSteps: pretrainSteps))),
                supervised: .init(
                    steps: steps,
                    optimizer: OptimizerConfig(method: .adam, schedule: LearningRateSchedule(
                        baseRate: learningRate, warmupSteps: min(100, steps / 10), totalSteps: steps), weightDecay: weightDecay),
                    fineTuneEncoder: !frozenEncoder))
            trainer = try Trainer(architecture: try loadArchitecture(), plan: plan, dataProvenance: "")
        }
        let a = trainer.network.architecture
        if let dataset {
            let reader = try DatasetReader(directory: dataset)
            let train = try DatasetTrainingData(reader: reader, split: .train, architecture: a)
            let test = try DatasetTrainingData(reader: reader, split: .test, architecture: a)
            try fit(&trainer, on: train, pretrainingOn: nil, provenance: train.provenance, scoring: test, output: output)
        } else {
            let faces = SyntheticFaces(seed: dataSeed, size: a.inputHeight)
            let train = try SyntheticFaceData(faces: faces, split: .train, count: trainCount, architecture: a)
            let test = try SyntheticFaceData(faces: faces, split: .test, count: testCount, architecture: a)
            let unlabelled = try SyntheticFaceData(faces: faces, split: .train, count: pretrainCount ?? trainCount, architecture: a)
            try fit(&trainer, on: train, pretrainingOn: unlabelled,
                    provenance: train.provenance + "; pre-training on faces 0..<\(unlabelled.count)", scoring: test, output: output)
        }
    }

    /// Runs (or resumes) `trainer` on `train` (and `unlabelled` for pre-training), checkpointing,
    /// then scores `test`.
    private func fit(_ trainer: inout Trainer, on train: some TrainingData, pretrainingOn unlabelled: (any TrainingData)?,
                     provenance: String, scoring test: some TrainingData, output: String) throws {
        let a = trainer.network.architecture
        if resume == nil {
            trainer.dataProvenance = provenance
        } else if trainer.dataProvenance != provenance {
            throw ValidationError("\(resume!) was trained on \(trainer.dataProvenance); these options give \(provenance)")
        }
        let cost = try a.cost()
        say("network: \(cost.multiplyAccumulates) MACs, \(cost.weightCount) weights, \(cost.biasCount) biases per image")
        say("data: \(provenance)")

        let start = Date()
        var window: [Float] = []
        var windowStart = Date()
        let batchSize = trainer.plan.batchSize
        while trainer.phase != .finished {
            let stop = checkpointEvery > 0 ? (trainer.totalSteps / checkpointEvery + 1) * checkpointEvery : nil
            try trainer.run(train, pretrainingData: unlabelled, stopAt: stop) { p in
                window.append(p.loss)
                if window.count == logEvery {
                    let seconds = Date().timeIntervalSince(windowStart)
                    let images = Double(logEvery * batchSize) / seconds
                    let loss = String(format: "%.5f", window.reduce(0, +) / Float(window.count))
                    say("step \(p.totalSteps)  \(describe(p.phase)) step \(p.stepInPhase)  loss \(loss)  \(Int(images)) images/s")
                    window.removeAll()
                    windowStart = Date()
                }
            }
            try trainer.save(to: output)
        }
        say("trained \(trainer.totalSteps) steps in \(String(format: "%.1f", Date().timeIntervalSince(start))) s; checkpoint \(output)")
        if test.count > 0 {
            for score in try trainer.evaluate(test, indices: Array(0..<test.count)) {
                let head = a.heads.first { $0.name == score.head }!
                let what = head.task == .binary ? "accuracy" : "mean absolute error"
                say("test \(score.head): \(what) \(String(format: "%.4f", score.value)) over \(score.count) labels "
                    + "(best constant answer: \(String(format: "%.4f", score.constantBaseline)))")
            }
        }
    }

    private func loadArchitecture() throws -> Architecture {
        guard let architecture else {
            return .standard(attributeNames: attributes.split(separator: ",").map(String.init))
        }
        let data = try ReadOnlyFile.readAll(path: architecture)
        do { return try JSONDecoder().decode(Architecture.self, from: Data(data)) } catch {
            throw ValidationError("\(architecture): not an architecture: \(error)")
        }
    }

    private func describe(_ phase: TrainingPhase) -> String {
        switch phase {
        case .pretraining(let b): "pretrain block \(b)"
        case .supervised: "supervised"
        case .finished: "finished"
        }
    }
}

extension Corruption.Kind: ExpressibleByArgument {}

/// Prints a line unbuffered, so progress shows as it comes, also when written to a log file.
private func say(_ line: String) {
    FileHandle.standardOutput.write(Data((line + "\n").utf8))
}

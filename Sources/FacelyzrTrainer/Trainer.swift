import CBLAS
import FacelyzrData
import FacelyzrRandom
import FacelyzrRuntime

/// What a training run does, step by step (JSON-coded into every checkpoint).
public struct TrainingPlan: Codable, Sendable, Equatable {
    /// Layer-wise denoising-autoencoder pre-training of the encoder's convolutions.
    public struct Pretraining: Codable, Sendable, Equatable {
        public var stepsPerBlock: Int
        public var corruption: Corruption
        /// Used afresh for each block (its schedule spans `stepsPerBlock`).
        public var optimizer: OptimizerConfig

        public init(stepsPerBlock: Int, corruption: Corruption, optimizer: OptimizerConfig) {
            self.stepsPerBlock = stepsPerBlock
            self.corruption = corruption
            self.optimizer = optimizer
        }
    }

    /// Training the heads on the labels.
    public struct Supervised: Codable, Sendable, Equatable {
        public var steps: Int
        public var optimizer: OptimizerConfig
        /// Whether the encoder learns too (fine-tuning); otherwise only the heads do.
        public var fineTuneEncoder: Bool
        /// Huber `delta` of regression heads, in their unit-scale output (see `HeadSpec.outputScale`).
        public var huberDelta: Float

        public init(steps: Int, optimizer: OptimizerConfig, fineTuneEncoder: Bool, huberDelta: Float = 0.25) {
            self.steps = steps
            self.optimizer = optimizer
            self.fineTuneEncoder = fineTuneEncoder
            self.huberDelta = huberDelta
        }
    }

    /// Seeds the weights, the batches, the corruption and dropout.
    public var seed: UInt64
    public var batchSize: Int
    /// nil: the encoder starts from random weights (the baseline pre-training is compared with).
    public var pretraining: Pretraining?
    public var supervised: Supervised

    public init(seed: UInt64, batchSize: Int, pretraining: Pretraining?, supervised: Supervised) {
        self.seed = seed
        self.batchSize = batchSize
        self.pretraining = pretraining
        self.supervised = supervised
    }
}

/// One step's report.
public struct TrainingProgress: Sendable {
    public var phase: TrainingPhase
    public var stepInPhase: Int
    public var totalSteps: Int
    /// The batch's loss (reconstruction MSE, or the sum of the heads' losses).
    public var loss: Float
}

/// One head's score on a set of images.
public struct HeadScore: Sendable, Equatable {
    public var head: String
    /// Binary heads: the fraction of known labels predicted right (logit > 0 means 1).
    /// Regression and expected-value heads: the mean absolute error in real units (years).
    public var value: Float
    /// The same score for the best constant answer given the scored labels: each label's
    /// majority value (binary), or their median (regression). What "chance" means here.
    public var constantBaseline: Float
    /// Known labels scored.
    public var count: Int
}

/// A training run was given a train split without faces: it has nothing to draw batches from.
public struct NoTrainingFaces: Error, Equatable, CustomStringConvertible {
    /// The faces, as `SplitFaces` describes them (source, split, count).
    public var provenance: String

    public var description: String { "\(provenance): no faces to train on (the dataset has no train records)" }
}

/// A training run: SDAE pre-training block by block, then the heads. Deterministic given the
/// plan's seed and the data, and resumable from a checkpoint to the same final weights (in the
/// deterministic mode, `ComputeThreads.set(1)`).
public struct Trainer: Sendable {
    public let plan: TrainingPlan
    /// The network being trained.
    public private(set) var network: Network
    /// Where the data comes from; stored in checkpoints.
    public var dataProvenance: String
    /// Where the run stands.
    public private(set) var phase: TrainingPhase
    /// Steps taken in the current phase.
    public private(set) var stepInPhase = 0
    /// Steps taken since the run began.
    public private(set) var totalSteps = 0
    /// Threads of a training step, supervised or pre-training a block: the batch is cut into
    /// this many contiguous shards, each run forward and backward on its own thread by its own
    /// copy of the network or autoencoder, and their gradients are added in shard order
    /// (``DataParallel``, docs/training.md "Determinism and resuming"). Deterministic for a given
    /// count, and a resumed run continues exactly if given the same count; the sums differ from
    /// one thread's in the last bits. The frozen blocks before the one being pre-trained run
    /// on OpenBLAS's threads.
    public var threads = ComputeThreads.count
    private var generator: SplitMix64
    private var optimizer: Optimizer?
    private var autoencoder: DenoisingAutoencoder?
    /// Runs supervised steps over `threads`.
    private var networkShards = DataParallel<Network>()
    /// Runs the current block's pre-training steps over `threads`.
    private var autoencoderShards = DataParallel<DenoisingAutoencoder>()

    /// An encoder convolution trained as one SDAE stage, with the pool that follows it.
    struct EncoderBlock {
        var convolution: Int
        var pool: PoolKind?
    }

    /// The encoder's blocks: each convolution with the pool right after it, if any.
    static func blocks(of architecture: Architecture) -> [EncoderBlock] {
        let encoder = architecture.encoder
        return encoder.indices.filter { encoder[$0].kind == .conv2d }.map { i in
            let next = i + 1 < encoder.count ? encoder[i + 1].kind : nil
            return EncoderBlock(convolution: i, pool: next == .maxPool2x2 ? .max : next == .averagePool2x2 ? .average : nil)
        }
    }

    /// A fresh run with weights drawn from the plan's seed.
    public init(architecture: Architecture, plan: TrainingPlan, dataProvenance: String) throws(ArchitectureError) {
        if plan.pretraining != nil {
            // The decoder restores the input size only when the convolution keeps it (same
            // padding) or is a 1x1 stride-1 convolution.
            for (i, layer) in architecture.encoder.enumerated()
            where layer.kind == .conv2d && (layer.padding ?? .same) == .valid && ((layer.stride ?? 1) != 1 || layer.kernel != 1) {
                throw ArchitectureError(layer: "encoder[\(i)]", reason: "SDAE pre-training needs same padding (or a 1x1 stride-1 convolution)")
            }
        }
        self.plan = plan
        self.dataProvenance = dataProvenance
        generator = SplitMix64(state: plan.seed)
        network = try Network(architecture, generator: &generator)
        phase = .finished
        phase = firstPhase(from: plan.pretraining == nil ? .supervised : .pretraining(block: 0))
    }

    /// A fresh run that starts from the weights of `network` (for instance an encoder pre-trained
    /// by `facelyzr pretrain`) instead of random ones.
    public init(network: Network, plan: TrainingPlan, dataProvenance: String) throws(ArchitectureError) {
        try self.init(architecture: network.architecture, plan: plan, dataProvenance: dataProvenance)
        self.network = network
    }

    private var blocks: [EncoderBlock] { Self.blocks(of: network.architecture) }

    private func length(of phase: TrainingPhase) -> Int {
        switch phase {
        case .pretraining: plan.pretraining?.stepsPerBlock ?? 0
        case .supervised: plan.supervised.steps
        case .finished: 0
        }
    }

    /// The first phase from `phase` on that has steps to take.
    private func firstPhase(from phase: TrainingPhase) -> TrainingPhase {
        var p = phase
        while true {
            if case .pretraining(let b) = p, b >= blocks.count { p = .supervised; continue }
            if p == .finished || length(of: p) > 0 { return p }
            switch p {
            case .pretraining(let b): p = .pretraining(block: b + 1)
            case .supervised: p = .finished
            case .finished: return p
            }
        }
    }

    /// Trains on `data` until the plan is finished, or until `totalSteps` reaches `stopAt` (to
    /// checkpoint and resume later). Pre-training reads `pretrainingData` when given (its labels
    /// are not used, so it may be a larger unlabelled set). `progress` sees every step. Throws
    /// ``NoTrainingFaces`` when a phase that has steps to take would draw from no faces.
    public mutating func run(
        _ data: TrainingFaces<TrainSplit>, pretrainingData: TrainingFaces<TrainSplit>? = nil, stopAt: Int? = nil,
        progress: (TrainingProgress) -> Void = { _ in }
    ) throws {
        keepFreedMemoryForReuse()
        while phase != .finished, stopAt.map({ totalSteps < $0 }) ?? true {
            let source = if case .pretraining = phase { pretrainingData ?? data } else { data }
            guard source.count > 0 else { throw NoTrainingFaces(provenance: source.faces.description) }
            let indices = (0..<plan.batchSize).map { _ in Int(generator.next() % UInt64(source.count)) }
            let (input, targets) = try source.batch(indices)
            let loss: Float
            switch phase {
            case .pretraining(let b):
                loss = pretrainingStep(block: blocks[b], input)
            case .supervised:
                loss = supervisedStep(input, targets)
            case .finished:
                return
            }
            stepInPhase += 1
            totalSteps += 1
            progress(TrainingProgress(phase: phase, stepInPhase: stepInPhase, totalSteps: totalSteps, loss: loss))
            if stepInPhase == length(of: phase) {
                optimizer = nil
                autoencoder = nil
                stepInPhase = 0
                switch phase {
                case .pretraining(let b): phase = firstPhase(from: .pretraining(block: b + 1))
                default: phase = firstPhase(from: .finished)
                }
            }
        }
    }

    private mutating func pretrainingStep(block: EncoderBlock, _ clean: Tensor) -> Float {
        let settings = plan.pretraining!
        if autoencoder == nil {
            let convolution = network.encoder.layers[block.convolution] as! Conv2DLayer
            autoencoder = DenoisingAutoencoder(encoder: convolution, pool: block.pool, generator: &generator)
            optimizer = Optimizer(settings.optimizer)
            autoencoderShards.reset()
        }
        var x = clean
        for i in 0..<block.convolution {
            x = network.encoder.layers[i].forward(x, training: false, generator: &generator)
        }
        let loss = autoencoder!.trainStep(x, corruption: settings.corruption, optimizer: &optimizer!, generator: &generator,
                                          threads: threads, shards: &autoencoderShards)
        network.encoder.layers[block.convolution] = autoencoder!.encoder
        return loss
    }

    private mutating func supervisedStep(_ input: Tensor, _ targets: [Tensor]) -> Float {
        let settings = plan.supervised
        if optimizer == nil { optimizer = Optimizer(settings.optimizer) }
        let outputs = networkShards.forward(&network, input, threads: threads, generator: &generator) {
            $0.forward($1, training: true, generator: &$2)
        }
        var gradients: [Tensor] = []
        var total: Float = 0
        for (h, head) in network.architecture.heads.enumerated() {
            var (loss, gradient) = switch head.task {
            case .binary:
                binaryCrossEntropyWithLogits(outputs[h], targets: targets[h])
            case .regression:
                huberLoss(outputs[h], target: Tensor(shape: targets[h].shape, values: targets[h].values.map {
                    ($0 - head.outputOffset) / head.outputScale
                }), delta: settings.huberDelta)
            case .expectedValue:
                binnedExpectationLoss(outputs[h], targets: targets[h], bins: head.bins!, sigma: head.binSigma!)
            }
            if let w = head.lossWeight {
                loss *= w
                for i in gradient.values.indices { gradient.values[i] *= w }
            }
            total += loss
            gradients.append(gradient)
        }
        let trainEncoder = settings.fineTuneEncoder
        networkShards.backward(&network, gradients) { $0.backward($1, trainEncoder: trainEncoder) }
        optimizer!.update(&network, includes: settings.fineTuneEncoder ? nil : { $0.hasPrefix("heads.") })
        return total
    }

    /// Scores every head on the images `indices` of `data` (inference mode).
    public mutating func evaluate(_ data: TrainingFaces<TestSplit>, indices: [Int]) throws -> [HeadScore] {
        let heads = network.architecture.heads
        var sums = [Float](repeating: 0, count: heads.count)
        var known: [[Float]] = heads.map { _ in [] }  // per head: the known targets ...
        var columns: [[Int]] = heads.map { _ in [] }  // ... and the output each belongs to
        var unused = SplitMix64(state: 0)
        for start in stride(from: 0, to: indices.count, by: max(plan.batchSize, 1)) {
            let (input, targets) = try data.batch(Array(indices[start..<min(start + plan.batchSize, indices.count)]))
            let outputs = network.forward(input, training: false, generator: &unused)
            for (h, head) in heads.enumerated() {
                let predictions = head.predictions(outputs[h])
                for i in 0..<targets[h].count where !targets[h].values[i].isNaN {
                    let y = predictions.values[i], t = targets[h].values[i]
                    switch head.task {
                    case .binary: sums[h] += (y > 0) == (t > 0.5) ? 1 : 0
                    case .regression, .expectedValue: sums[h] += abs(y - t)
                    }
                    known[h].append(t)
                    columns[h].append(i % head.labels.count)
                }
            }
        }
        return heads.indices.map { h in
            let n = known[h].count
            guard n > 0 else { return HeadScore(head: heads[h].name, value: 0, constantBaseline: 0, count: 0) }
            var baseline: Float = 0
            switch heads[h].task {
            case .binary:
                var positives = [Int](repeating: 0, count: heads[h].labels.count), totals = positives
                for (t, c) in zip(known[h], columns[h]) {
                    totals[c] += 1
                    if t > 0.5 { positives[c] += 1 }
                }
                baseline = Float(zip(positives, totals).map { max($0, $1 - $0) }.reduce(0, +)) / Float(n)
            case .regression, .expectedValue:
                let median = known[h].sorted()[n / 2]
                baseline = known[h].map { abs($0 - median) }.reduce(0, +) / Float(n)
            }
            return HeadScore(head: heads[h].name, value: sums[h] / Float(n), constantBaseline: baseline, count: n)
        }
    }

    /// While a block is being pre-trained: its input for `images` (clean), a corrupted copy and
    /// the current autoencoder's reconstruction of it; nil in other phases and before the block's
    /// first step. Draws its corruption
    /// from its own generator, so the run continues exactly as without it.
    public mutating func reconstructionSample(_ images: Tensor) -> (clean: Tensor, corrupted: Tensor, reconstruction: Tensor)? {
        guard case .pretraining(let b) = phase, let settings = plan.pretraining, autoencoder != nil else { return nil }
        var own = SplitMix64(state: 0x5eed)
        var x = images
        for i in 0..<blocks[b].convolution {
            x = network.encoder.layers[i].forward(x, training: false, generator: &own)
        }
        let (corrupted, reconstruction) = autoencoder!.corruptAndReconstruct(x, corruption: settings.corruption, generator: &own)
        return (x, corrupted, reconstruction)
    }

    // MARK: Checkpoints

    /// The run's state as a checkpoint.
    public mutating func checkpoint() -> Checkpoint {
        var tensors = network.parameterTensors()
        if autoencoder != nil {
            var decoder = autoencoder!.decoder
            tensors.merge(decoder.parameterTensors(prefix: "sdae.decoder."), uniquingKeysWith: { a, _ in a })
        }
        if let optimizer {
            for (name, m) in optimizer.firstMoments { tensors["optimizer.first.\(name)"] = Tensor(shape: [m.count], values: m) }
            for (name, v) in optimizer.secondMoments { tensors["optimizer.second.\(name)"] = Tensor(shape: [v.count], values: v) }
        }
        let hex = String(generator.state, radix: 16)
        let metadata = CheckpointMetadata(
            architecture: network.architecture, inputNormalization: .standard, dataProvenance: dataProvenance,
            plan: plan, phase: phase, stepInPhase: stepInPhase, totalSteps: totalSteps,
            optimizerStep: optimizer?.step, randomState: String(repeating: "0", count: 16 - hex.count) + hex)
        return Checkpoint(metadata: metadata, tensors: tensors)
    }

    /// Writes the run's checkpoint atomically.
    public mutating func save(to path: String) throws(CheckpointError) {
        try checkpoint().write(to: path)
    }

    /// Resumes the run a checkpoint file holds.
    public init(resumingFrom path: String) throws(CheckpointError) {
        try self.init(resuming: Checkpoint.read(from: path), file: path)
    }

    /// Resumes the run `checkpoint` holds; `file` names it in errors.
    public init(resuming checkpoint: Checkpoint, file: String) throws(CheckpointError) {
        let m = checkpoint.metadata
        guard let state = UInt64(m.randomState, radix: 16) else {
            throw .notACheckpoint(file: file, reason: "randomState \(m.randomState) is not 16 hex digits")
        }
        plan = m.plan
        dataProvenance = m.dataProvenance
        network = try checkpoint.network(file: file)
        phase = m.phase
        stepInPhase = m.stepInPhase
        totalSteps = m.totalSteps
        generator = SplitMix64(state: state)
        let blockCount = Self.blocks(of: m.architecture).count
        if case .pretraining(let b) = phase, b >= blockCount || plan.pretraining == nil {
            throw .notACheckpoint(file: file, reason: "phase \(phase) does not exist in the plan")
        }
        guard let step = m.optimizerStep else { return }
        switch phase {
        case .pretraining(let b):
            let block = Self.blocks(of: m.architecture)[b]
            var unused = SplitMix64(state: 0)
            var dae = DenoisingAutoencoder(encoder: network.encoder.layers[block.convolution] as! Conv2DLayer,
                                           pool: block.pool, generator: &unused)
            try checkpoint.load(into: &dae.decoder, prefix: "sdae.decoder.", file: file)
            autoencoder = dae
            optimizer = Optimizer(plan.pretraining!.optimizer)
        case .supervised:
            optimizer = Optimizer(plan.supervised.optimizer)
        case .finished:
            return
        }
        optimizer!.step = step
        var counts: [String: Int] = [:]
        if autoencoder != nil {
            autoencoder!.visitParameters { name, p in counts[name] = p.value.count }
        } else {
            network.visitParameters { name, p in counts[name] = p.value.count }
        }
        for (name, t) in checkpoint.tensors {
            for (prefix, second) in [("optimizer.first.", false), ("optimizer.second.", true)] where name.hasPrefix(prefix) {
                let parameter = String(name.dropFirst(prefix.count))
                guard let count = counts[parameter] else {
                    throw .notACheckpoint(file: file, reason: "\(name) belongs to no parameter of phase \(phase)")
                }
                guard t.shape == [count] else { throw .shapeMismatch(file: file, name: name, expected: [count], found: t.shape) }
                if second { optimizer!.secondMoments[parameter] = t.values } else { optimizer!.firstMoments[parameter] = t.values }
            }
        }
    }
}

/// Tells the C allocator to keep freed memory for the next allocation instead of handing it back
/// to the kernel. A training step allocates and frees the same tensors of up to tens of MB every
/// step; with glibc's defaults each of them came back as fresh pages, so the kernel's page faults
/// and zeroing took about a tenth of a step (docs/training.md, "Speed"). Blocks up to 32 MB (the
/// most glibc allows) then come from the heap, which is no longer trimmed; numbers are unchanged.
/// Process-wide and idempotent; a no-op where the allocator is not glibc's.
func keepFreedMemoryForReuse() {
    #if os(Linux)
    _ = mallopt(M_MMAP_THRESHOLD, 32 << 20)
    _ = mallopt(M_TRIM_THRESHOLD, Int32.max)
    #endif
}

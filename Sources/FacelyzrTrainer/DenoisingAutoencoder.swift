import FacelyzrRandom
import FacelyzrRuntime

/// How a denoising autoencoder corrupts its input before encoding it.
public struct Corruption: Codable, Sendable, Equatable {
    /// The kind of noise.
    public enum Kind: String, Codable, Sendable {
        /// Sets a random fraction `amount` of the values to zero (real zero, i.e. pixel 128 at the input).
        case masking
        /// Adds Gaussian noise of standard deviation `amount`.
        case gaussian
    }

    public var kind: Kind
    public var amount: Float

    public init(_ kind: Kind, amount: Float) {
        self.kind = kind
        self.amount = amount
    }

    /// A corrupted copy of `clean`.
    public func apply(_ clean: Tensor, generator: inout SplitMix64) -> Tensor {
        var x = clean
        switch kind {
        case .masking:
            for i in x.values.indices where generator.unit() < amount { x.values[i] = 0 }
        case .gaussian:
            for i in x.values.indices { x.values[i] += generator.boxMullerNormal() * amount }
        }
        return x
    }
}

/// The pool that may follow an encoder convolution.
public enum PoolKind: String, Codable, Sendable {
    case max
    case average
}

/// One stage of a stacked denoising autoencoder: an encoder block (a convolution, optionally
/// followed by a 2x2 pool) and a decoder mapping the block's output back to the block's input
/// (max unpooling with the pool's switches, or nearest upsampling for an average pool and for a
/// stride-2 convolution; then a linear stride-1 "same" convolution of the encoder's kernel size).
/// The loss compares the reconstruction of the corrupted input with the clean input (MSE).
public struct DenoisingAutoencoder: ParameterContainer, Sendable {
    public var encoder: Conv2DLayer
    public var pool: PoolKind?
    public var decoder: Conv2DLayer
    private var poolLayer = MaxPool2x2Layer()

    public init(encoder: Conv2DLayer, pool: PoolKind?, generator: inout SplitMix64) {
        let g = encoder.geometry
        precondition(g.padding == .same || (g.stride == 1 && g.kernelHeight == 1 && g.kernelWidth == 1),
                     "the encoder convolution must keep the input size (same padding) to be decoded")
        self.encoder = encoder
        self.pool = pool
        let decoderGeometry = Conv2DGeometry(
            inputHeight: g.inputHeight, inputWidth: g.inputWidth, inputChannels: g.outputChannels,
            outputChannels: g.inputChannels, kernelHeight: g.kernelHeight, kernelWidth: g.kernelWidth,
            stride: 1, padding: .same)
        decoder = Conv2DLayer(geometry: decoderGeometry, activation: .none, generator: &generator)
    }

    public mutating func visitParameters(_ body: (String, inout Parameter) -> Void) {
        encoder.visitParameters { name, p in body("encoder.\(name)", &p) }
        decoder.visitParameters { name, p in body("decoder.\(name)", &p) }
    }

    /// Encodes and decodes `input`, keeping what `backward` needs; returns the reconstruction.
    mutating func reconstruct(_ input: Tensor, generator: inout SplitMix64) -> Tensor {
        let g = encoder.geometry
        let hidden = encoder.forward(input, training: true, generator: &generator)
        var expanded = hidden
        switch pool {
        case .max:
            let pooled = poolLayer.forward(hidden, training: true, generator: &generator)
            expanded = maxUnpool2x2Forward(pooled, switches: poolLayer.switches, outputShape: hidden.shape)
        case .average:
            expanded = upsample2xForward(averagePool2x2Forward(hidden), outputShape: hidden.shape)
        case nil:
            break
        }
        if g.stride == 2 {
            expanded = upsample2xForward(expanded, outputShape: [input.batch, g.inputHeight, g.inputWidth, g.outputChannels])
        }
        return decoder.forward(expanded, training: true, generator: &generator)
    }

    /// The gradient of the reconstruction back through decoder and encoder (parameters only).
    mutating func backward(_ reconstructionGradient: Tensor) {
        let g = encoder.geometry
        var gradient = decoder.backward(reconstructionGradient, needsInputGradient: true)!
        let hiddenShape = [gradient.batch, g.outputHeight, g.outputWidth, g.outputChannels]
        if g.stride == 2 { gradient = upsample2xBackward(gradient, inputShape: hiddenShape) }
        let pooledShape = [hiddenShape[0], hiddenShape[1] / 2, hiddenShape[2] / 2, hiddenShape[3]]
        switch pool {
        case .max:
            let pooledGradient = maxUnpool2x2Backward(gradient, switches: poolLayer.switches, inputShape: pooledShape)
            gradient = maxPool2x2Backward(pooledGradient, switches: poolLayer.switches, inputShape: hiddenShape)
        case .average:
            gradient = averagePool2x2Backward(upsample2xBackward(gradient, inputShape: pooledShape), inputShape: hiddenShape)
        case nil:
            break
        }
        _ = encoder.backward(gradient, needsInputGradient: false)
    }

    /// One optimisation step on a batch of clean inputs; returns the batch's loss.
    public mutating func trainStep(
        _ clean: Tensor, corruption: Corruption, optimizer: inout Optimizer, generator: inout SplitMix64
    ) -> Float {
        var oneThread = DataParallel<Self>()
        return trainStep(clean, corruption: corruption, optimizer: &optimizer, generator: &generator, threads: 1, shards: &oneThread)
    }

    /// The same step with the batch cut into `threads` shards run by `shards` (see
    /// ``DataParallel``); the whole batch is corrupted first, by `generator`.
    mutating func trainStep(
        _ clean: Tensor, corruption: Corruption, optimizer: inout Optimizer, generator: inout SplitMix64,
        threads: Int, shards: inout DataParallel<Self>
    ) -> Float {
        let corrupted = corruption.apply(clean, generator: &generator)
        let reconstruction = shards.forward(&self, corrupted, threads: threads, generator: &generator) {
            [$0.reconstruct($1, generator: &$2)]
        }[0]
        let (loss, gradient) = meanSquaredError(reconstruction, target: clean)
        shards.backward(&self, [gradient]) { $0.backward($1[0]) }
        optimizer.update(&self)
        return loss
    }

    /// The corrupted copy of `clean` and its reconstruction (for pictures; parameters unchanged).
    public mutating func corruptAndReconstruct(_ clean: Tensor, corruption: Corruption, generator: inout SplitMix64)
        -> (corrupted: Tensor, reconstruction: Tensor) {
        let corrupted = corruption.apply(clean, generator: &generator)
        return (corrupted, reconstruct(corrupted, generator: &generator))
    }

    /// Mean squared error of reconstructing uncorrupted inputs (for held-out evaluation).
    public mutating func reconstructionLoss(_ clean: Tensor) -> Float {
        var unused = SplitMix64(state: 0)
        return meanSquaredError(reconstruct(clean, generator: &unused), target: clean).loss
    }
}

import FacelyzrRandom
import Testing
@testable import FacelyzrTrainer

/// Images with low-dimensional structure (random mixtures of three fixed smooth patterns), which a
/// denoising autoencoder can learn to restore; values in about [-1, 1] like normalised pixels.
func structuredImages(count: Int, size: Int, channels: Int, seed: UInt64) -> Tensor {
    var gen = SplitMix64(state: seed)
    var images = Tensor(zeros: [count, size, size, channels])
    let s = Float(size)
    for n in 0..<count {
        let a = gen.unit() * 2 - 1, b = gen.unit() * 2 - 1, c = gen.unit() * 2 - 1
        for y in 0..<size {
            for x in 0..<size {
                let fy = Float(y) / s, fx = Float(x) / s
                for ch in 0..<channels {
                    let dy: Float = fy - 0.5, dx: Float = fx - 0.5
                    let blob: Float = 1 - 4 * (dy * dy + dx * dx)
                    let v: Float = a * blob + b * dx * 1.5 + c * dy * Float(ch + 1)
                    images.values[((n * size + y) * size + x) * channels + ch] = max(-1, min(1, v))
                }
            }
        }
    }
    return images
}

/// Rows `start..<start+count` of a batch.
func batchSlice(_ t: Tensor, start: Int, count: Int) -> Tensor {
    let item = t.itemCount
    return Tensor(shape: [count] + t.shape.dropFirst(), values: Array(t.values[start * item ..< (start + count) * item]))
}

@Suite struct DenoisingAutoencoderTests {
    @Test(arguments: [(PoolKind?.some(.max), 1), (.some(.average), 1), (nil, 2)])
    func heldOutReconstructionLossFallsWithinAFewHundredSteps(_ pool: PoolKind?, _ stride: Int) {
        ComputeThreads.set(1)
        var gen = SplitMix64(state: 30)
        let train = structuredImages(count: 256, size: 8, channels: 2, seed: 31)
        let heldOut = structuredImages(count: 64, size: 8, channels: 2, seed: 32)
        let g = Conv2DGeometry(inputHeight: 8, inputWidth: 8, inputChannels: 2, outputChannels: 8,
                               kernelHeight: 3, kernelWidth: 3, stride: stride, padding: .same)
        var dae = DenoisingAutoencoder(encoder: Conv2DLayer(geometry: g, activation: .relu, generator: &gen), pool: pool,
                                       generator: &gen)
        var optimizer = Optimizer(OptimizerConfig(method: .adam, schedule: LearningRateSchedule(
            baseRate: 0.01, warmupSteps: 10, totalSteps: 300)))
        let before = dae.reconstructionLoss(heldOut)
        for step in 0..<300 {
            let batch = batchSlice(train, start: (step * 16) % 256, count: 16)
            _ = dae.trainStep(batch, corruption: Corruption(.masking, amount: 0.25), optimizer: &optimizer, generator: &gen)
        }
        let after = dae.reconstructionLoss(heldOut)
        #expect(after < before * 0.2, "held-out reconstruction MSE \(before) -> \(after)")
    }
}

import FacelyzrBlobBuilder
import FacelyzrHost
import FacelyzrRandom
import FacelyzrRuntime
import FacelyzrTestSupport
import Testing

/// Random models (shapes, kernels, strides, padding, zero points, clamps, rounding) through the
/// one executor: Fast equals Reference, and a model is shareable across threads.
@Suite struct RandomModelTests {
    static func randomModel(seed: UInt64) -> BlobBuilder {
        var rng = SplitMix64(state: seed)
        let format: PixelFormat = Bool.random(using: &rng) ? .rgb8 : .gray8
        var b = BlobBuilder(name: "random-\(seed)", height: Int.random(in: 3...13, using: &rng),
                            width: Int.random(in: 3...13, using: &rng), pixelFormat: format)
        var x = b.input
        func quantization(_ rng: inout SplitMix64) -> BlobBuilder.Quantization {
            .init(scale: Float.random(in: 0.01...0.1, using: &rng), zeroPoint: Int32.random(in: -128...127, using: &rng))
        }
        for _ in 0..<Int.random(in: 1...5, using: &rng) {
            let s = b.shape(x)
            let rounding: RoundingMode = Bool.random(using: &rng) ? .double : .single
            let activation: BlobBuilder.Activation = [.none, .relu, .relu6].randomElement(using: &rng)!
            switch Int.random(in: 0...4, using: &rng) {
            case 0:
                let k = Int.random(in: 1...5, using: &rng), filters = Int.random(in: 1...7, using: &rng)
                let stride = Int.random(in: 1...2, using: &rng)
                let padding: Padding = s.height >= k && s.width >= k && Bool.random(using: &rng) ? .valid : .same
                x = b.conv2D(x, filters: filters, kernelHeight: k, kernelWidth: k, strideHeight: stride, strideWidth: stride,
                             padding: padding, weights: TestModels.weights(filters * k * k * s.channels, &rng),
                             bias: TestModels.bias(filters, &rng), requantization: TestModels.requantization(filters, &rng),
                             output: quantization(&rng), activation: activation, rounding: rounding)
            case 1:
                let stride = Int.random(in: 1...2, using: &rng)
                let padding: Padding = s.height >= 3 && s.width >= 3 && Bool.random(using: &rng) ? .valid : .same
                x = b.depthwiseConv2D(x, strideHeight: stride, strideWidth: stride, padding: padding,
                                      weights: TestModels.weights(9 * s.channels, &rng), bias: TestModels.bias(s.channels, &rng),
                                      requantization: TestModels.requantization(s.channels, &rng),
                                      output: quantization(&rng), activation: activation, rounding: rounding)
            case 2 where s.height >= 2 && s.width >= 2:
                x = b.maxPool2x2(x)
            case 3 where s.height >= 2 && s.width >= 2:
                x = b.averagePool2x2(x)
            default:
                let n = Int.random(in: 1...6, using: &rng)
                x = b.fullyConnected(x, outputs: n, weights: TestModels.weights(n * s.elementCount, &rng),
                                     bias: TestModels.bias(n, &rng), requantization: TestModels.requantization(n, &rng),
                                     output: quantization(&rng), activation: activation, rounding: rounding)
            }
        }
        let features = Bool.random(using: &rng) ? b.globalAveragePool(x) : x
        let n = Int.random(in: 1...3, using: &rng)
        b.head("head", kind: .multiLabel, input: features, weights: TestModels.weights(n * b.shape(features).elementCount, &rng),
               bias: TestModels.bias(n, &rng), scales: [Float](repeating: 0.01, count: n),
               labels: (0..<n).map { "label\($0)" })
        return b
    }

    @Test(arguments: 1...40) func fastEqualsReferenceOnRandomModels(seed: Int) throws {
        try withModel(Self.randomModel(seed: UInt64(seed)).build().bytes) { model in
            let pixels = TestModels.pixels(model.input.byteCount, seed: UInt64(seed))
            let reference = run(model, pixels, Reference.self)
            let fast = run(model, pixels, Fast.self)
            #expect(fast.outputs == reference.outputs)
            #expect(fast.layers == reference.layers)
            let packed = run(model, pixels, Fast.self, packed: true)
            #expect(packed.outputs == reference.outputs)
            #expect(packed.layers == reference.layers)
        }
    }

    @Test func oneModelSharedAcrossThreads() async throws {
        let blob = try LoadedModel(bytes: TestModels.everyOp().build().bytes)
        let model = blob.model
        let images = (1...8).map { TestModels.pixels(model.input.byteCount, seed: $0) }
        let serial = images.map { run(model, $0).outputs }
        let parallel = await withTaskGroup(of: (Int, [Int32]).self) { group in
            for (i, image) in images.enumerated() {
                group.addTask { (i, run(model, image).outputs) }  // each task its own arena
            }
            var results = [[Int32]](repeating: [], count: images.count)
            for await (i, outputs) in group { results[i] = outputs }
            return results
        }
        withExtendedLifetime(blob) {}
        #expect(parallel == serial)
    }
}

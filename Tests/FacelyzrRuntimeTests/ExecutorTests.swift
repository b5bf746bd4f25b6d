import FacelyzrBlobBuilder
import FacelyzrRandom
import FacelyzrRuntime
import FacelyzrTestSupport
import Testing

@Suite struct ExecutorTests {
    /// conv 3x3 same + ReLU -> depthwise 3x3 stride 2 valid -> max pool -> global average pool
    /// -> fully connected -> head, chained by hand with the Reference kernels.
    @Test func builderModelPredictsWhatHandChainedReferenceKernelsGive() throws {
        var rng = SplitMix64(state: 42)
        let w1 = TestModels.weights(5 * 9 * 1, &rng), b1 = TestModels.bias(5, &rng), r1 = TestModels.requantization(5, &rng)
        let w2 = TestModels.weights(9 * 5, &rng), b2 = TestModels.bias(5, &rng), r2 = TestModels.requantization(5, &rng)
        let w3 = TestModels.weights(4 * 5, &rng), b3 = TestModels.bias(4, &rng), r3 = TestModels.requantization(4, &rng)
        let w4 = TestModels.weights(2 * 4, &rng), b4 = TestModels.bias(2, &rng)

        var b = BlobBuilder(name: "chain", height: 9, width: 9, pixelFormat: .gray8)
        let q1 = BlobBuilder.Quantization(scale: 0.04, zeroPoint: -10)
        let q2 = BlobBuilder.Quantization(scale: 0.03, zeroPoint: 4)
        let q3 = BlobBuilder.Quantization(scale: 0.02, zeroPoint: -3)
        let t1 = b.conv2D(b.input, filters: 5, kernelHeight: 3, kernelWidth: 3, padding: .same, weights: w1, bias: b1,
                          requantization: r1, output: q1, activation: .relu)
        let t2 = b.depthwiseConv2D(t1, strideHeight: 2, strideWidth: 2, padding: .valid, weights: w2, bias: b2,
                                   requantization: r2, output: q2)
        let t3 = b.maxPool2x2(t2)
        let t4 = b.globalAveragePool(t3)
        let t5 = b.fullyConnected(t4, outputs: 4, weights: w3, bias: b3, requantization: r3, output: q3, activation: .relu)
        b.head("attributes", kind: .multiLabel, input: t5, weights: w4, bias: b4, scales: [0.01, 0.02], labels: ["a", "b"])
        let pixels = TestModels.pixels(81)
        let (outputs, layers, ranges) = try withModel(b.build().bytes) { model in
            let (outputs, layers) = run(model, pixels, Reference.self)
            return (outputs, layers, [model.layerOutputRange(op: 2), model.layerOutputRange(op: 5)])
        }

        // By hand.
        let x = pixels.map { Int8(bitPattern: $0 ^ 0x80) }
        func channelwise(_ w: [Int8], _ bias: [Int32], _ r: [BlobBuilder.Requantization], _ body: (ChannelwiseWeights) -> Void) {
            let m = r.map(\.multiplier), s = r.map(\.shift)
            w.withUnsafeBufferPointer { w in bias.withUnsafeBufferPointer { bias in
                m.withUnsafeBufferPointer { m in s.withUnsafeBufferPointer { s in
                    body(ChannelwiseWeights(weights: w.baseAddress!, bias: bias.baseAddress!, multipliers: m.baseAddress!, shifts: s.baseAddress!))
                } }
            } }
        }
        var y1 = [Int8](repeating: 0, count: 9 * 9 * 5)
        channelwise(w1, b1, r1) { f in
            Reference.conv2D(ConvolutionParameters(
                input: TensorShape(height: 9, width: 9, channels: 1), output: TensorShape(height: 9, width: 9, channels: 5),
                kernelHeight: 3, kernelWidth: 3, strideHeight: 1, strideWidth: 1, padTop: 1, padLeft: 1,
                inputZeroPoint: 0, outputZeroPoint: -10, outputMin: -10, outputMax: 127, rounding: .double),
                input: x, filter: f, output: &y1)
        }
        var y2 = [Int8](repeating: 0, count: 4 * 4 * 5)
        channelwise(w2, b2, r2) { f in
            Reference.depthwiseConv2D(ConvolutionParameters(
                input: TensorShape(height: 9, width: 9, channels: 5), output: TensorShape(height: 4, width: 4, channels: 5),
                kernelHeight: 3, kernelWidth: 3, strideHeight: 2, strideWidth: 2, padTop: 0, padLeft: 0,
                inputZeroPoint: -10, outputZeroPoint: 4, outputMin: -128, outputMax: 127, rounding: .double),
                input: y1, filter: f, output: &y2)
        }
        var y3 = [Int8](repeating: 0, count: 2 * 2 * 5)
        Reference.maxPool2x2(PoolParameters(input: TensorShape(height: 4, width: 4, channels: 5),
                                            output: TensorShape(height: 2, width: 2, channels: 5)), input: y2, output: &y3)
        var y4 = [Int8](repeating: 0, count: 5)
        Reference.globalAveragePool(TensorShape(height: 2, width: 2, channels: 5), input: y3, output: &y4)
        var y5 = [Int8](repeating: 0, count: 4)
        channelwise(w3, b3, r3) { f in
            Reference.fullyConnected(FullyConnectedParameters(
                inputCount: 5, outputCount: 4, inputZeroPoint: 4, outputZeroPoint: -3, outputMin: -3, outputMax: 127,
                rounding: .single), input: y4, filter: f, output: &y5)
        }
        var y6 = [Int32](repeating: 0, count: 2)
        Reference.fullyConnectedAccumulators(FullyConnectedParameters(
            inputCount: 4, outputCount: 2, inputZeroPoint: -3, outputZeroPoint: 0, outputMin: 0, outputMax: 0,
            rounding: .double), input: y5, weights: w4, bias: b4, output: &y6)

        #expect(layers == y1 + y2 + y3 + y4 + y5)
        #expect(outputs == y6)
        #expect(ranges[0] == (offset: y1.count + y2.count, count: y3.count))
        #expect(ranges[1] == (offset: layers.count, count: 0))
        // The activations vary: the test would notice a wrong offset or kernel.
        #expect(Set(y1).count > 10)
    }

    /// One executor, two kernel sets: Fast and Reference give the same outputs and layer outputs.
    @Test func fastAndReferenceExecutorsAgreeOnEveryOp() throws {
        try withModel(TestModels.everyOp().build().bytes) { model in
        for seed in 1...5 as ClosedRange<UInt64> {
            let pixels = TestModels.pixels(model.input.byteCount, seed: seed)
            let reference = run(model, pixels, Reference.self)
            let fast = run(model, pixels, Fast.self)
            #expect(reference.outputs == fast.outputs)
            #expect(reference.layers == fast.layers)
        }
        }
    }

    /// `predict` without layer outputs runs each conv2D and the max pool after it as one step
    /// (where the packed plan `fusesMaxPool`); its head outputs are still the Reference kernels', on the reference
    /// encoder shape (whose first pool's output lies where the first convolution's input was)
    /// and on a model of odd sizes, partial channel blocks, single rounding and a shared output.
    @Test func fusedConvolutionAndPoolStepsGiveTheReferenceOutputs() throws {
        for (bytes, fusedOps) in [(RandomEncoder.builder().build().bytes, [0, 2, 4]), (TestModels.convolutionsAndPools().build().bytes, [0, 2])] {
            try withModel(bytes) { model in
                #expect((0..<model.opCount).filter { model.kernelPlan(op: $0, features: nil).fusesMaxPool } == fusedOps)
                for seed in 1...3 as ClosedRange<UInt64> {
                    let pixels = TestModels.pixels(model.input.byteCount, seed: seed)
                    let reference = run(model, pixels, Reference.self).outputs
                    for packed in [false, true] {
                        #expect(run(model, pixels, Fast.self, packed: packed, layerOutputs: false).outputs == reference)
                    }
                    #expect(run(model, pixels, Reference.self, packed: true, layerOutputs: false).outputs == reference)
                }
            }
        }
    }

    @Test func predictionsFollowHeadKinds() throws {
        try withModel(TestModels.everyOp().build().bytes) { model in
        let outputs: [Int32] = [400, -250, 1000, -1000]
        #expect(model.headCount == 3)
        #expect(model.prediction(output: 0, outputs: outputs) == sigmoid(1.0))     // binary: 400 * 0.0025
        #expect(model.prediction(output: 1, outputs: outputs) == -2.5)             // regression: -250 * 0.01
        #expect(model.prediction(output: 2, outputs: outputs) == sigmoid(2.0))     // multi-label
        #expect(model.prediction(output: 3, outputs: outputs) == sigmoid(-3.0))
        #expect(model.head(owning: 3).kind == .multiLabel)
        }
    }

    @Test func predictDoesNotDependOnArenaContents() throws {
        try withModel(TestModels.everyOp().build().bytes) { model in
        let pixels = TestModels.pixels(model.input.byteCount)
        var results: [[Int32]] = []
        for fill: UInt8 in [0, 0x7F, 0x80, 0xFF] {
            var arena = [UInt8](repeating: fill, count: model.arenaByteCount)
            var outputs = [Int32](repeating: -1, count: model.outputCount)
            model.predict(pixels: pixels, arena: &arena, outputs: &outputs)
            results.append(outputs)
        }
        #expect(Set(results).count == 1)
        }
    }
}

// The kernel plan: decided once at pack time, recorded in the packed buffer, and what the
// executor runs, op by op (docs/kernels.md, "The kernel plan").
import FacelyzrBlobBuilder
import FacelyzrRandom
import FacelyzrTestSupport
import Testing
@testable import FacelyzrRuntime

@Suite struct KernelPlanTests {
    /// A 12x12 RGB model whose convolutions take every kind of plan on an AVX-512 machine:
    /// conv 3x3 over 3 channels, double rounding, then a max pool (pixel lanes or quad tiles,
    /// pooling in the kernel); conv 3x3 over 20 channels, single rounding, then a max pool
    /// (quad tiles tile by tile, the pool after the convolution); conv 5x3 over 67 channels
    /// (a 1,005-byte field: packed, but its rows padded to quads overflow the tiles: pairs);
    /// conv 5x5 over 41 channels (a 1,025-byte field: pairs in chunks of 4 and 1 kernel rows,
    /// never quad tiles); then depthwise,
    /// average pool, global average pool, fully connected and a head.
    static func everyPlan() -> [UInt8] {
        var rng = SplitMix64(state: 11)
        var b = BlobBuilder(name: "every-plan", height: 12, width: 12, pixelFormat: .rgb8)
        let q = { (zp: Int32) in BlobBuilder.Quantization(scale: 0.05, zeroPoint: zp) }
        func conv(_ x: BlobBuilder.Tensor, _ filters: Int, _ kh: Int, _ kw: Int, _ rounding: RoundingMode) -> BlobBuilder.Tensor {
            let taps = kh * kw * b.shape(x).channels
            return b.conv2D(
                x, filters: filters, kernelHeight: kh, kernelWidth: kw, padding: .same, weights: rng.weights(filters * taps),
                bias: rng.biases(filters, in: -4000...4000),
                requantization: rng.requantizations(filters, real: 0.8...1.25, scale: 40 / (Double(taps).squareRoot() * 73 * 73)),
                output: q(-128), activation: .relu, rounding: rounding)
        }
        var x = b.maxPool2x2(conv(b.input, 20, 3, 3, .double))
        x = b.maxPool2x2(conv(x, 67, 3, 3, .single))
        x = conv(x, 41, 5, 3, .double)
        x = conv(x, 8, 5, 5, .double)
        x = b.depthwiseConv2D(x, padding: .same, weights: rng.weights(9 * 8), bias: rng.biases(8, in: -4000...4000),
                              requantization: rng.requantizations(8, real: 0.8...1.25, scale: 40 / (3 * 73 * 73)), output: q(-128))
        x = b.globalAveragePool(b.averagePool2x2(x))
        x = b.fullyConnected(x, outputs: 6, weights: rng.weights(6 * 8), bias: rng.biases(6, in: -4000...4000),
                             requantization: rng.requantizations(6, real: 0.8...1.25, scale: 40 / (3 * 73 * 73)), output: q(-128))
        b.head("age", kind: .regression, input: x, weights: rng.weights(6), bias: rng.biases(1, in: -4000...4000),
               scales: [0.01], labels: ["years"])
        return b.build().bytes
    }

    static let models: [(name: String, bytes: [UInt8])] = [
        ("random-encoder-64", RandomEncoder.builder().build().bytes), ("every-plan", everyPlan()),
    ]

    #if DEBUG  // KernelTrace records in debug builds only.
    /// The fast kernels' runs `predict` must record for the plan in `packed` (nil: the canonical
    /// plan): each step's kernel as planned; a fused conv2D's pool in the kernel, or a pool pass
    /// after it.
    func plannedRuns(_ model: Model, packed: UnsafeRawPointer?, fused: Bool) -> [KernelRun] {
        var runs: [KernelRun] = []
        var index = 0
        while index < model.opCount {
            let plan = model.kernelPlan(op: index, packedWeights: packed)
            let kind = model.op(index).kind
            let fusedStep = fused && plan.fusesMaxPool
            runs.append(KernelRun(kind: kind, variant: plan.variant, mode: plan.mode,
                                  pooled: fusedStep && plan.maxPool == .inKernel, gather: plan.gather))
            if fusedStep && plan.maxPool == .afterConvolution {
                runs.append(KernelRun(kind: .maxPool2x2, variant: .portable, mode: .direct))
            }
            index += fusedStep ? 2 : 1
        }
        return runs
    }

    /// What `predict` ran (with layer outputs when not `fused`) over the buffer packed for
    /// `features` (nil: no packed buffer), and its head outputs.
    func recordedRuns(_ model: Model, features: CPUFeatures?, fused: Bool) -> (planned: [KernelRun], ran: [KernelRun], outputs: [Int32]) {
        let byteCount = features == nil ? 0 : model.packedWeightsByteCount(for: Fast.self, features: features)
        let packed = UnsafeMutableRawBufferPointer.allocate(byteCount: max(byteCount, 1), alignment: 64)
        defer { packed.deallocate() }
        if features != nil { model.packWeights(for: Fast.self, features: features, into: packed.baseAddress!) }
        let buffer = features == nil ? nil : UnsafeRawPointer(packed.baseAddress!)
        let pixels = RandomEncoder.pixels(model.input.byteCount, index: 3)
        var arena = [UInt8](repeating: 0, count: model.arenaByteCount)
        var outputs = [Int32](repeating: 0, count: model.outputCount)
        var layers = [Int8](repeating: 0, count: model.layerOutputByteCount)
        let trace = KernelTrace()
        KernelTrace.$current.withValue(trace) {
            pixels.withUnsafeBufferPointer { p in
                arena.withUnsafeMutableBytes { a in
                    outputs.withUnsafeMutableBufferPointer { o in
                        layers.withUnsafeMutableBufferPointer { l in
                            model.predict(using: Fast.self, pixels: p.baseAddress!, arena: a.baseAddress!, outputs: o.baseAddress!,
                                          layerOutputs: fused ? nil : l.baseAddress!, packedWeights: buffer)
                        }
                    }
                }
            }
        }
        return (plannedRuns(model, packed: buffer, fused: fused), trace.runs, outputs)
    }

    /// The head outputs of the Reference kernels (canonical plan) on the pixels `recordedRuns` uses.
    static func referenceOutputs(_ model: Model) -> [Int32]? {
        let pixels = RandomEncoder.pixels(model.input.byteCount, index: 3)
        var arena = [UInt8](repeating: 0, count: model.arenaByteCount)
        var outputs = [Int32](repeating: 0, count: model.outputCount)
        pixels.withUnsafeBufferPointer { p in
            arena.withUnsafeMutableBytes { a in
                outputs.withUnsafeMutableBufferPointer { o in
                    model.predict(using: Reference.self, pixels: p.baseAddress!, arena: a.baseAddress!, outputs: o.baseAddress!,
                                  layerOutputs: nil)
                }
            }
        }
        return outputs
    }

    /// Without a packed buffer, then each CPU feature set this machine runs (FastKernelTests.featureSets).
    static var featureSets: [CPUFeatures?] { [nil] + FastKernelTests.featureSets.map { $0 } }

    /// `predict` runs exactly the kernel each op's plan names, fused and unfused, over buffers
    /// packed for every feature set this CPU has and without one; the outputs stay the
    /// Reference kernels'.
    @Test(arguments: models.indices)
    func executorRunsThePlannedVariants(model index: Int) throws {
        try withModel(Self.models[index].bytes) { model in
            let reference = try #require(Self.referenceOutputs(model))
            for features in Self.featureSets {
                for fused in [true, false] {
                    let (planned, ran, outputs) = recordedRuns(model, features: features, fused: fused)
                    let context = "\(Self.models[index].name), features \(features.map { "\($0.rawValue)" } ?? "none packed"), fused \(fused)"
                    #expect(ran == planned, "\(context)")
                    #expect(outputs == reference, "\(context)")
                }
            }
        }
    }

    /// Without a packed buffer every op is canonical: portable kernels, no fused step.
    @Test func predictWithoutPackedWeightsRunsTheCanonicalPlan() throws {
        try withModel(RandomEncoder.builder().build().bytes) { model in
            let (_, ran, _) = recordedRuns(model, features: nil, fused: true)
            #expect(ran.count == model.opCount)
            #expect(ran.allSatisfy { $0.variant == .portable && $0.mode == .direct && !$0.pooled })
        }
    }

    #endif

    /// Planner rule 1 on this CPU: a receptive field over the gather buffer (`Fast.maximumPackedField`)
    /// runs the int16 pairs or int8 rows in chunks of whole kernel rows, packed per chunk (each
    /// padded to `Fast.fieldAlignment`); a kernel row over the buffer keeps the canonical weights.
    @Test func fieldsOverTheGatherBufferRunInChunks() {
        func plan(_ kernel: Int, _ width: Int, _ channels: Int) -> (KernelPlan, ConvolutionParameters) {
            let p = ConvolutionParameters.make(
                input: TensorShape(height: 12, width: 12, channels: channels), outChannels: 20, kernel: (kernel, width),
                stride: (2, 2), padding: .same, inputZeroPoint: 0, outputZeroPoint: 0, outputMin: -128, outputMax: 127,
                rounding: .double)
            return (KernelPlan(conv2D: p, features: .detected), p)
        }
        let pairs = Fast.pairsVariant(avx2: CPUFeatures.detected.contains(.avx2))
        let weightBytes = MemoryLayout<Fast.PackedWeight>.size
        // 6x6x32: 1,152 bytes, chunks of 5 and 1 kernel rows (960 and 192 bytes, aligned on every ISA).
        let (gender, genderP) = plan(6, 6, 32)
        #expect(gender.variant == pairs && gender.mode == .pairs)
        #expect(Fast.packedByteCount(genderP, plan: gender) == 32 * 16 + 32 * (960 + 192) * weightBytes)
        // 3x3x113: rows of 339 bytes, chunks of 2 and 1 rows, each padded on its own.
        let (odd, oddP) = plan(3, 3, 113)
        #expect(odd.variant == pairs)
        #expect(Fast.packedByteCount(oddP, plan: odd) == 32 * 16 + 32 * (Fast.fieldAlignment == 16 ? 688 + 352 : 678 + 340) * weightBytes)
        // 1x5x256: a kernel row of 1,280 bytes stays on the portable loop.
        let (long, longP) = plan(1, 5, 256)
        #expect(long.variant == .portable && long.mode == .direct)
        #expect(Fast.packedByteCount(longP, plan: long) == 0)
    }

    #if arch(x86_64)
    /// The planner's rules on x86-64, level by level, on the every-plan model: its variants,
    /// modes, fusions and gathers, and the packed buffer recording them with each op's weights
    /// after the records, 16-byte aligned and in order.
    @Test func plansOfEachX86Level() throws {
        typealias Step = (KernelVariant, KernelMode, MaxPoolFusion, GatherVariant)
        let none: Step = (.portable, .direct, .none, .portable)
        let pooled: Step = (.portable, .direct, .intoPrevious, .portable)
        func pairs(_ variant: KernelVariant, _ gather: GatherVariant) -> [Step] {
            [(variant, .pairs, .afterConvolution, gather), pooled, (variant, .pairs, .afterConvolution, gather), pooled,
             (variant, .pairs, .none, gather)]
        }
        // The 5x5x41 conv (chunked pairs as the one before it), then portable ops and the fully connected ones.
        func rest(_ chunked: Step, _ fc: KernelVariant) -> [Step] {
            [chunked, none, none, none, (fc, .direct, .none, .portable), (fc, .direct, .none, .portable)]
        }
        let tiles: [Step] = [(.avx512QuadTiles, .tiles, .afterConvolution, .avx512), pooled, (.avx2Pairs, .pairs, .none, .avx512)]
        let avx512 = CPUFeatures.avx2.union(.avx512vnni)
        let expected: [(CPUFeatures, [Step])] = [
            (.baseline, pairs(.sse2Pairs, .portable) + rest((.sse2Pairs, .pairs, .none, .portable), .portable)),
            (.avx2, pairs(.avx2Pairs, .portable) + rest((.avx2Pairs, .pairs, .none, .portable), .portable)),
            (avx512, [(.avx512QuadTiles, .runs, .inKernel, .avx512), pooled] + tiles + rest(tiles[2], .avx512Dot)),
            (avx512.union(.avx512vbmi), [(.avx512PixelLanes, .lanes, .inKernel, .portable), pooled] + tiles + rest(tiles[2], .avx512Dot)),
        ]
        try withModel(Self.everyPlan()) { model in
            #expect(model.opCount == 11)
            for (features, steps) in expected {
                let byteCount = model.packedWeightsByteCount(for: Fast.self, features: features)
                let packed = UnsafeMutableRawBufferPointer.allocate(byteCount: byteCount, alignment: 64)
                defer { packed.deallocate() }
                model.packWeights(for: Fast.self, features: features, into: packed.baseAddress!)
                var end = (model.opCount * MemoryLayout<KernelPlan>.stride + 63) / 64 * 64
                for (index, step) in steps.enumerated() {
                    let plan = model.kernelPlan(op: index, packedWeights: UnsafeRawPointer(packed.baseAddress!))
                    #expect((plan.variant, plan.mode, plan.maxPool, plan.gather) == step, "op \(index), features \(features.rawValue)")
                    #expect(plan.features == features)
                    // The plan the planner makes, now with its place in the buffer.
                    var unplaced = plan
                    (unplaced.offset, unplaced.byteCount) = (0, 0)
                    #expect(unplaced == model.kernelPlan(op: index, features: features))
                    if plan.packedByteCount > 0 {
                        #expect(plan.packedOffset == end && plan.packedByteCount % 16 == 0)
                        end += plan.packedByteCount
                    }
                }
                #expect(end == byteCount)
            }
        }
    }
    #endif
}

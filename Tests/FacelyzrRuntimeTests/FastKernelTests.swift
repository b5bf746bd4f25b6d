// Fast kernels are bit-exact with the reference kernels: on 1,000 random configurations per op
// (seeded, the failing seed is printed) and on the oracle's golden vectors.
import FacelyzrRandom
import Testing
@testable import FacelyzrRuntime

@Suite struct FastKernelTests {
    static let cases = 1000
    static let baseSeed: UInt64 = 0xFACE_0000

    /// Runs `body` with a generator seeded per case; `body` returns a failure description or nil.
    func forEachCase(_ op: String, _ body: (inout SplitMix64) -> String?) {
        var failures = 0
        for i in 0..<Self.cases {
            let seed = Self.baseSeed &+ UInt64(i) &* 0x1_0001 &+ UInt64(op.utf8.count)
            var rng = SplitMix64(state: seed)
            if let failure = body(&rng) {
                Issue.record("\(op): case \(i), seed 0x\(String(seed, radix: 16)): \(failure)")
                failures += 1
                if failures == 5 { return }
            }
        }
    }

    @Test func conv2DMatchesReference() {
        forEachCase("conv2D") { rng in
            let (p, input, filter) = rng.convolution(depthwise: false)
            return filter.withPointers { f in
                let expected = run(input, outputCount: p.output.elementCount) { Reference.conv2D(p, input: $0, filter: f, output: $1) }
                let got = runGuarded(input, outputCount: p.output.elementCount, as: Int8.self) { Fast.conv2D(p, input: $0, filter: f, output: $1) }
                return got.output == expected && !got.overrun ? nil : "\(p)"
            }
        }
    }

    /// The CPU feature sets whose kernel plans this CPU runs: on x86-64 every level up to this
    /// CPU's (none: SSE2 pairs; AVX2 pairs; AVX-512 VNNI quad tiles; with VBMI, pixel lanes),
    /// on aarch64 the build's. Planning each conv2D for each of them runs every packed variant.
    static var featureSets: [CPUFeatures] {
        #if arch(x86_64)
        let avx512 = CPUFeatures.avx2.union(.avx512vnni)
        let levels = [CPUFeatures.baseline, .avx2, avx512, avx512.union(.avx512vbmi)]
        return levels.filter { CPUFeatures.detected.contains($0) }
        #else
        return [CPUFeatures.detected]
        #endif
    }

    @Test func packedConv2DMatchesReference() {
        forEachCase("packedConv2D") { rng in
            let (p, input, filter) = rng.convolution(depthwise: false, manyFilters: true)
            return filter.withPointers { f in
                let expected = run(input, outputCount: p.output.elementCount) { Reference.conv2D(p, input: $0, filter: f, output: $1) }
                // Through Fast.conv2D as predict runs it, with each feature set's plan.
                var failures: [String] = []
                for features in Self.featureSets {
                    let plan = KernelPlan(conv2D: p, features: features)
                    let count = Fast.packedByteCount(p, plan: plan)
                    guard count > 0 else { return "receptive field of \(p) not packed" }
                    let packed = UnsafeMutableRawBufferPointer.allocate(byteCount: count, alignment: 16)
                    defer { packed.deallocate() }
                    Fast.pack(p, plan: plan, filter: f, into: packed.baseAddress!)
                    var packedFilter = f
                    packedFilter.packed = UnsafeRawPointer(packed.baseAddress!)
                    let got = runGuarded(input, outputCount: p.output.elementCount, as: Int8.self) {
                        Fast.conv2D(p, plan: plan, input: $0, filter: packedFilter, output: $1)
                    }
                    if got.output != expected || got.overrun { failures.append("\(plan.variant.name) \(plan.mode.name)") }
                }
                return failures.isEmpty ? nil : "\(p), kernels \(failures)"
            }
        }
    }

    /// conv2D then a 2x2 max pool as one step (`conv2DMaxPool2x2`), against Reference's conv2D
    /// then maxPool2x2: with each feature set's plan fused with the pool, with the pooled output
    /// in its own buffer and at the start of the convolution's (the executor's two cases).
    @Test func conv2DMaxPool2x2MatchesReference() {
        forEachCase("conv2DMaxPool2x2") { rng in
            let (p, input, filter) = rng.convolution(depthwise: false, manyFilters: true)
            let pool = PoolParameters(
                input: p.output, output: TensorShape(height: p.output.height / 2, width: p.output.width / 2, channels: p.output.channels))
            return filter.withPointers { f in
                let convolved = run(input, outputCount: p.output.elementCount) { Reference.conv2D(p, input: $0, filter: f, output: $1) }
                let expected = run(convolved, outputCount: pool.output.elementCount) { Reference.maxPool2x2(pool, input: $0, output: $1) }
                var failures: [String] = []
                for features in Self.featureSets {
                    let plan = KernelPlan(conv2D: p, features: features, fusingMaxPool: true)
                    let packed = UnsafeMutableRawBufferPointer.allocate(byteCount: Fast.packedByteCount(p, plan: plan), alignment: 16)
                    defer { packed.deallocate() }
                    Fast.pack(p, plan: plan, filter: f, into: packed.baseAddress!)
                    var packedFilter = f
                    packedFilter.packed = UnsafeRawPointer(packed.baseAddress!)
                    for inConvolved in [false, true] {
                        let scratch = UnsafeMutablePointer<Int8>.allocate(capacity: p.output.elementCount)
                        defer { scratch.deallocate() }
                        let got = runGuarded(input, outputCount: pool.output.elementCount, as: Int8.self) { x, out in
                            let target = inConvolved ? scratch : out
                            Fast.conv2DMaxPool2x2(p, plan: plan, input: x, filter: packedFilter, convolved: scratch, pool: pool, output: target)
                            if inConvolved { out.update(from: scratch, count: pool.output.elementCount) }
                        }
                        if got.output != expected || got.overrun {
                            failures.append("\(plan.variant.name) max pool \(plan.maxPool.name)\(inConvolved ? " in place" : "")")
                        }
                    }
                }
                return failures.isEmpty ? nil : "\(p), kernels \(failures)"
            }
        }
    }

    @Test func depthwiseConv2DMatchesReference() {
        forEachCase("depthwiseConv2D") { rng in
            let (p, input, filter) = rng.convolution(depthwise: true)
            return filter.withPointers { f in
                let expected = run(input, outputCount: p.output.elementCount) { Reference.depthwiseConv2D(p, input: $0, filter: f, output: $1) }
                let got = runGuarded(input, outputCount: p.output.elementCount, as: Int8.self) { Fast.depthwiseConv2D(p, input: $0, filter: f, output: $1) }
                return got.output == expected && !got.overrun ? nil : "\(p)"
            }
        }
    }

    @Test func maxPool2x2MatchesReference() {
        forEachCase("maxPool2x2") { rng in
            let shape = rng.poolShape(minimum: 2)
            let p = PoolParameters(input: shape, output: TensorShape(height: shape.height / 2, width: shape.width / 2, channels: shape.channels))
            let input = rng.int8s(shape.elementCount)
            let expected = run(input, outputCount: p.output.elementCount) { Reference.maxPool2x2(p, input: $0, output: $1) }
            let got = runGuarded(input, outputCount: p.output.elementCount, as: Int8.self) { Fast.maxPool2x2(p, input: $0, output: $1) }
            // In place (output = input), as KernelSet allows.
            var inPlace: [[Int8]] = []
            for pool in [Reference.maxPool2x2, Fast.maxPool2x2] as [(PoolParameters, UnsafePointer<Int8>, UnsafeMutablePointer<Int8>) -> Void] {
                var buffer = input
                buffer.withUnsafeMutableBufferPointer { pool(p, UnsafePointer($0.baseAddress!), $0.baseAddress!) }
                inPlace.append(Array(buffer[..<p.output.elementCount]))
            }
            return got.output == expected && !got.overrun && inPlace.allSatisfy({ $0 == expected }) ? nil : "\(p)"
        }
    }

    @Test func maxPoolMatchesReference() {
        forEachCase("maxPool") { rng in
            let (p, input) = rng.maxPool()
            let expected = run(input, outputCount: p.output.elementCount) { Reference.maxPool(p, input: $0, output: $1) }
            let got = runGuarded(input, outputCount: p.output.elementCount, as: Int8.self) { Fast.maxPool(p, input: $0, output: $1) }
            return got.output == expected && !got.overrun ? nil : "\(p)"
        }
    }

    @Test func averagePool2x2MatchesReference() {
        forEachCase("averagePool2x2") { rng in
            let shape = rng.poolShape(minimum: 2)
            let p = PoolParameters(input: shape, output: TensorShape(height: shape.height / 2, width: shape.width / 2, channels: shape.channels))
            let input = rng.int8s(shape.elementCount)
            let expected = run(input, outputCount: p.output.elementCount) { Reference.averagePool2x2(p, input: $0, output: $1) }
            let got = runGuarded(input, outputCount: p.output.elementCount, as: Int8.self) { Fast.averagePool2x2(p, input: $0, output: $1) }
            return got.output == expected && !got.overrun ? nil : "\(p)"
        }
    }

    @Test func globalAveragePoolMatchesReference() {
        forEachCase("globalAveragePool") { rng in
            let shape = rng.poolShape(minimum: 1)
            let input = rng.int8s(shape.elementCount)
            let expected = run(input, outputCount: shape.channels) { Reference.globalAveragePool(shape, input: $0, output: $1) }
            let got = runGuarded(input, outputCount: shape.channels, as: Int8.self) { Fast.globalAveragePool(shape, input: $0, output: $1) }
            return got.output == expected && !got.overrun ? nil : "\(shape)"
        }
    }

    @Test func padMatchesReference() {
        forEachCase("pad") { rng in
            let shape = rng.poolShape(minimum: 1)
            let amounts = (0..<6).map { _ in rng.pick([0, 0, 1, rng.int(0...5)]) }
            let p = PadParameters(
                input: shape,
                output: TensorShape(height: amounts[0] + shape.height + amounts[1], width: amounts[2] + shape.width + amounts[3],
                                    channels: amounts[4] + shape.channels + amounts[5]),
                top: amounts[0], left: amounts[2], channelsBefore: amounts[4], zeroPoint: Int8(truncatingIfNeeded: rng.zeroPoint()))
            let input = rng.int8s(shape.elementCount)
            // Half the cases pad with per-channel values (format version 3).
            let values = rng.int(0...1) == 0 ? [] : rng.int8s(p.output.channels)
            return values.withUnsafeBufferPointer { v in
                var p = p
                p.values = values.isEmpty ? nil : v.baseAddress
                let expected = run(input, outputCount: p.output.elementCount) { Reference.pad(p, input: $0, output: $1) }
                let got = runGuarded(input, outputCount: p.output.elementCount, as: Int8.self) { Fast.pad(p, input: $0, output: $1) }
                return got.output == expected && !got.overrun ? nil : "\(p)"
            }
        }
    }

    @Test func addMatchesReference() {
        forEachCase("add") { rng in
            let (p, first, second) = rng.add()
            let expected = second.withUnsafeBufferPointer { b in
                run(first, outputCount: p.count) { Reference.add(p, input1: $0, input2: b.baseAddress!, output: $1) }
            }
            // The canonical plan, then each feature set's (AVX2 or NEON: 16 elements per step).
            let plans = [KernelPlan.canonical] + Self.featureSets.map { KernelPlan(addFor: $0) }
            let failures = plans.filter { plan in
                let got = second.withUnsafeBufferPointer { b in
                    runGuarded(first, outputCount: p.count, as: Int8.self) { Fast.add(p, plan: plan, input1: $0, input2: b.baseAddress!, output: $1) }
                }
                return got.output != expected || got.overrun
            }
            return failures.isEmpty ? nil : "\(p), kernels \(failures.map { "\($0.variant.name)" })"
        }
    }

    @Test func fullyConnectedMatchesReference() {
        forEachCase("fullyConnected") { rng in
            let (p, input, filter) = rng.fullyConnected()
            return filter.withPointers { f in
                let expected = run(input, outputCount: p.outputCount) { Reference.fullyConnected(p, input: $0, filter: f, output: $1) }
                // The canonical plan, then each feature set's (x86-64 with AVX-512: fz_avx512_dot).
                let plans = [KernelPlan.canonical] + Self.featureSets.map { KernelPlan(fullyConnectedFor: $0) }
                let failures = plans.filter { plan in
                    let got = runGuarded(input, outputCount: p.outputCount, as: Int8.self) {
                        Fast.fullyConnected(p, plan: plan, input: $0, filter: f, output: $1)
                    }
                    return got.output != expected || got.overrun
                }
                return failures.isEmpty ? nil : "\(p), kernels \(failures.map { "\($0.variant.name)" })"
            }
        }
    }

    @Test func fullyConnectedAccumulatorsMatchReference() {
        forEachCase("fullyConnectedAccumulators") { rng in
            let (p, input, filter) = rng.fullyConnected()
            return filter.withPointers { f in
                let expected = runGuarded(input, outputCount: p.outputCount, as: Int32.self) {
                    Reference.fullyConnectedAccumulators(p, input: $0, weights: f.weights, bias: f.bias, output: $1)
                }
                let plans = [KernelPlan.canonical] + Self.featureSets.map { KernelPlan(fullyConnectedFor: $0) }
                let failures = plans.filter { plan in
                    let got = runGuarded(input, outputCount: p.outputCount, as: Int32.self) {
                        Fast.fullyConnectedAccumulators(p, plan: plan, input: $0, weights: f.weights, bias: f.bias, output: $1)
                    }
                    return got.output != expected.output || got.overrun
                }
                return failures.isEmpty ? nil : "\(p), kernels \(failures.map { "\($0.variant.name)" })"
            }
        }
    }
}

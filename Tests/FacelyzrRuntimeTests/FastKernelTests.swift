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

    @Test func packedConv2DMatchesReference() {
        forEachCase("packedConv2D") { rng in
            let (p, input, filter) = rng.convolution(depthwise: false, manyFilters: true)
            return filter.withPointers { f in
                let expected = run(input, outputCount: p.output.elementCount) { Reference.conv2D(p, input: $0, filter: f, output: $1) }
                let count = Fast.packedByteCount(p)
                guard count > 0 else { return "receptive field of \(p) not packed" }
                let packed = UnsafeMutableRawBufferPointer.allocate(byteCount: count, alignment: 16)
                defer { packed.deallocate() }
                Fast.pack(p, filter: f, into: packed.baseAddress!)
                var packedFilter = f
                packedFilter.packed = UnsafeRawPointer(packed.baseAddress!)
                let got = runGuarded(input, outputCount: p.output.elementCount, as: Int8.self) {
                    Fast.conv2D(p, input: $0, filter: packedFilter, output: $1)
                }
                // The x86-64 SSE2 kernel as well, when this CPU takes the AVX2 one.
                let baseline = runGuarded(input, outputCount: p.output.elementCount, as: Int8.self) {
                    Fast.packedConv2D(p, input: $0, filter: packedFilter, packed: packedFilter.packed!, output: $1, avx2: false)
                }
                return got.output == expected && !got.overrun && baseline.output == expected && !baseline.overrun
                    ? nil : "\(p)"
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

    @Test func fullyConnectedMatchesReference() {
        forEachCase("fullyConnected") { rng in
            let (p, input, filter) = rng.fullyConnected()
            return filter.withPointers { f in
                let expected = run(input, outputCount: p.outputCount) { Reference.fullyConnected(p, input: $0, filter: f, output: $1) }
                let got = runGuarded(input, outputCount: p.outputCount, as: Int8.self) { Fast.fullyConnected(p, input: $0, filter: f, output: $1) }
                return got.output == expected && !got.overrun ? nil : "\(p)"
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
                let got = runGuarded(input, outputCount: p.outputCount, as: Int32.self) {
                    Fast.fullyConnectedAccumulators(p, input: $0, weights: f.weights, bias: f.bias, output: $1)
                }
                return got.output == expected.output && !got.overrun ? nil : "\(p)"
            }
        }
    }
}

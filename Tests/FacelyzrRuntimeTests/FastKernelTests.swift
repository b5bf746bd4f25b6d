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

    /// The packed conv2D variants this CPU runs: on x86-64 every one up to the detected kernel
    /// (SSE2, AVX2, AVX-512 VNNI, AVX-512 VNNI with VBMI's pixel lanes), on aarch64 the one
    /// chosen at build time.
    static var packedKernels: [Fast.PackedKernel] {
        switch Fast.PackedKernel.detected {
        case .baseline: [.baseline]
        case .avx2: [.baseline, .avx2]
        case .avx512vnni: [.baseline, .avx2, .avx512vnni]
        case .avx512vbmi: [.baseline, .avx2, .avx512vnni, .avx512vbmi]
        case .dotProduct: [.dotProduct]
        }
    }

    @Test func packedConv2DMatchesReference() {
        forEachCase("packedConv2D") { rng in
            let (p, input, filter) = rng.convolution(depthwise: false, manyFilters: true)
            return filter.withPointers { f in
                let expected = run(input, outputCount: p.output.elementCount) { Reference.conv2D(p, input: $0, filter: f, output: $1) }
                // Through Fast.conv2D (the detected kernel, as predict runs it), then each variant.
                var failures: [String] = []
                let variants = [(Fast.PackedKernel.detected, true)] + Self.packedKernels.map { ($0, false) }
                for (kernel, throughConv2D) in variants {
                    let count = Fast.packedByteCount(p, kernel: kernel)
                    guard count > 0 else { return "receptive field of \(p) not packed" }
                    let packed = UnsafeMutableRawBufferPointer.allocate(byteCount: count, alignment: 16)
                    defer { packed.deallocate() }
                    Fast.pack(p, filter: f, into: packed.baseAddress!, kernel: kernel)
                    var packedFilter = f
                    packedFilter.packed = UnsafeRawPointer(packed.baseAddress!)
                    let got = runGuarded(input, outputCount: p.output.elementCount, as: Int8.self) {
                        if throughConv2D {
                            Fast.conv2D(p, input: $0, filter: packedFilter, output: $1)
                        } else {
                            Fast.packedConv2D(p, input: $0, filter: packedFilter, packed: packedFilter.packed!, output: $1, kernel: kernel)
                        }
                    }
                    if got.output != expected || got.overrun { failures.append("\(kernel)") }
                }
                return failures.isEmpty ? nil : "\(p), kernels \(failures)"
            }
        }
    }

    /// conv2D then a 2x2 max pool as one step (`conv2DMaxPool2x2`), against Reference's conv2D
    /// then maxPool2x2: through the detected kernel, then each packed variant, with the pooled
    /// output in its own buffer and at the start of the convolution's (the executor's two cases).
    @Test func conv2DMaxPool2x2MatchesReference() {
        forEachCase("conv2DMaxPool2x2") { rng in
            let (p, input, filter) = rng.convolution(depthwise: false, manyFilters: true)
            let pool = PoolParameters(
                input: p.output, output: TensorShape(height: p.output.height / 2, width: p.output.width / 2, channels: p.output.channels))
            return filter.withPointers { f in
                let convolved = run(input, outputCount: p.output.elementCount) { Reference.conv2D(p, input: $0, filter: f, output: $1) }
                let expected = run(convolved, outputCount: pool.output.elementCount) { Reference.maxPool2x2(pool, input: $0, output: $1) }
                var failures: [String] = []
                let variants = [(Fast.PackedKernel.detected, true)] + Self.packedKernels.map { ($0, false) }
                for (kernel, throughFast) in variants {
                    let packed = UnsafeMutableRawBufferPointer.allocate(byteCount: Fast.packedByteCount(p, kernel: kernel), alignment: 16)
                    defer { packed.deallocate() }
                    Fast.pack(p, filter: f, into: packed.baseAddress!, kernel: kernel)
                    var packedFilter = f
                    packedFilter.packed = UnsafeRawPointer(packed.baseAddress!)
                    for inConvolved in [false, true] {
                        let scratch = UnsafeMutablePointer<Int8>.allocate(capacity: p.output.elementCount)
                        defer { scratch.deallocate() }
                        let got = runGuarded(input, outputCount: pool.output.elementCount, as: Int8.self) { x, out in
                            let target = inConvolved ? scratch : out
                            if throughFast {
                                Fast.conv2DMaxPool2x2(p, input: x, filter: packedFilter, convolved: scratch, pool: pool, output: target)
                            } else {
                                Fast.packedConv2DMaxPool2x2(
                                    p, input: x, filter: packedFilter, packed: packedFilter.packed!, convolved: scratch, pool: pool,
                                    output: target, kernel: kernel)
                            }
                            if inConvolved { out.update(from: scratch, count: pool.output.elementCount) }
                        }
                        if got.output != expected || got.overrun { failures.append("\(kernel)\(inConvolved ? " in place" : "")") }
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

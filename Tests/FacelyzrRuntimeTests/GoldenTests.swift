// The reference kernels and numerics reproduce tools/oracle/oracle.py's golden vectors exactly.
import Testing
@testable import FacelyzrRuntime

@Suite struct GoldenNumericsTests {
    let golden: Golden.Numerics

    init() throws { golden = try Golden.load(Golden.Numerics.self, "numerics.json") }

    @Test func quantizeMultiplierMatches() throws {
        #expect(golden.quantizeMultiplier.count > 300)
        for row in golden.quantizeMultiplier {
            let real = try #require(Double(row[0].text ?? ""))
            let got = quantizeMultiplier(real)
            #expect(Int64(got.multiplier) == row[1].integer && Int64(got.shift) == row[2].integer, "real \(row[0])")
        }
    }

    @Test func fixedPointMatches() {
        for r in golden.saturatingRoundingDoublingHighMul {
            #expect(Int64(saturatingRoundingDoublingHighMul(Int32(r[0]), Int32(r[1]))) == r[2], "\(r)")
        }
        for r in golden.roundingDivideByPowerOfTwo {
            #expect(Int64(roundingDivideByPowerOfTwo(Int32(r[0]), Int32(r[1]))) == r[2], "\(r)")
        }
    }

    @Test func requantizeMatches() {
        #expect(golden.requantize.count > 1000)
        for r in golden.requantize {
            let got = requantize(Int32(r[0]), multiplier: Int32(r[1]), shift: Int32(r[2]),
                                 rounding: RoundingMode(rawValue: UInt8(r[3]))!)
            #expect(Int64(got) == r[4], "\(r)")
        }
    }

    @Test func roundedAverageMatches() {
        for r in golden.roundedAverage {
            #expect(Int64(roundedAverage(sum: Int32(r[0]), count: Int32(r[1]))) == r[2], "\(r)")
        }
    }

    @Test func sigmoidIsBitIdentical() {
        for r in golden.sigmoid {
            #expect(sigmoid(Float(bitPattern: r[0])).bitPattern == r[1], "x bits \(r[0])")
        }
    }

    @Test func headDequantisationIsBitIdentical() {
        for r in golden.headDequantization {
            let got = dequantizeHeadOutput(Int32(r[0]), scale: Float(bitPattern: UInt32(r[1])))
            #expect(Int64(got.bitPattern) == r[2], "\(r)")
        }
    }
}

/// Both kernel families against the oracle: `Reference` must match exactly, and so must `Fast`.
@Suite struct GoldenKernelTests {
    let golden: Golden.Kernels

    init() throws { golden = try Golden.load(Golden.Kernels.self, "kernels.json") }

    /// Kernels 1-5 and, format version 3, 6-7; Fast over the canonical weights and over the
    /// weights packed for this machine's plan.
    @Test func conv2DMatches() {
        for (name, cases) in [("conv2D", golden.conv2D), ("conv2DLarge", golden.conv2DLarge)] {
            for (i, c) in cases.enumerated() {
                let p = c.parameters
                #expect(Padding(rawValue: c.padding == "same" ? 1 : 0)!
                    .outputLength(input: c.input[0], kernel: c.kernel[0], stride: c.stride[0]) == (c.output[0], c.pad[0]))
                c.filter.withPointers { f in
                    let reference = run(int8s(c.x), outputCount: p.output.elementCount) { Reference.conv2D(p, input: $0, filter: f, output: $1) }
                    let fast = run(int8s(c.x), outputCount: p.output.elementCount) { Fast.conv2D(p, input: $0, filter: f, output: $1) }
                    let plan = KernelPlan(conv2D: p, features: .detected)
                    let packed = UnsafeMutableRawBufferPointer.allocate(byteCount: max(Fast.packedByteCount(p, plan: plan), 1), alignment: 16)
                    defer { packed.deallocate() }
                    Fast.pack(p, plan: plan, filter: f, into: packed.baseAddress!)
                    var packedFilter = f
                    packedFilter.packed = Fast.packedByteCount(p, plan: plan) > 0 ? UnsafeRawPointer(packed.baseAddress!) : nil
                    let fastPacked = run(int8s(c.x), outputCount: p.output.elementCount) {
                        Fast.conv2D(p, plan: plan, input: $0, filter: packedFilter, output: $1)
                    }
                    #expect(reference == int8s(c.y), "\(name) case \(i), reference")
                    #expect(fast == int8s(c.y), "\(name) case \(i), fast")
                    #expect(fastPacked == int8s(c.y), "\(name) case \(i), fast \(plan.variant.name)")
                }
            }
        }
        #expect(golden.conv2DLarge.allSatisfy { max($0.kernel[0], $0.kernel[1]) >= 6 })
    }

    @Test func maxPoolMatches() {
        for (i, c) in golden.maxPool.enumerated() {
            let p = c.parameters
            for (name, kernel) in [("reference", Reference.maxPool), ("fast", Fast.maxPool)] as [(String, (MaxPoolParameters, UnsafePointer<Int8>, UnsafeMutablePointer<Int8>) -> Void)] {
                let got = runGuarded(int8s(c.x), outputCount: p.output.elementCount, as: Int8.self) { kernel(p, $0, $1) }
                #expect(got.output == int8s(c.y) && !got.overrun, "maxPool case \(i), \(name)")
            }
        }
    }

    @Test func depthwiseConv2DMatches() {
        for (i, c) in golden.depthwiseConv2D.enumerated() {
            let p = c.parameters
            c.filter.withPointers { f in
                let reference = run(int8s(c.x), outputCount: p.output.elementCount) { Reference.depthwiseConv2D(p, input: $0, filter: f, output: $1) }
                let fast = runGuarded(int8s(c.x), outputCount: p.output.elementCount, as: Int8.self) { Fast.depthwiseConv2D(p, input: $0, filter: f, output: $1) }
                #expect(reference == int8s(c.y), "depthwiseConv2D case \(i), reference")
                #expect(fast.output == int8s(c.y) && !fast.overrun, "depthwiseConv2D case \(i), fast")
            }
        }
    }

    @Test func poolsMatch() {
        for (i, c) in golden.maxPool2x2.enumerated() {
            let count = c.pool.output.elementCount
            #expect(run(int8s(c.x), outputCount: count) { Reference.maxPool2x2(c.pool, input: $0, output: $1) } == int8s(c.y), "maxPool2x2 case \(i), reference")
            #expect(run(int8s(c.x), outputCount: count) { Fast.maxPool2x2(c.pool, input: $0, output: $1) } == int8s(c.y), "maxPool2x2 case \(i), fast")
        }
        for (i, c) in golden.averagePool2x2.enumerated() {
            let count = c.pool.output.elementCount
            #expect(run(int8s(c.x), outputCount: count) { Reference.averagePool2x2(c.pool, input: $0, output: $1) } == int8s(c.y), "averagePool2x2 case \(i), reference")
            #expect(run(int8s(c.x), outputCount: count) { Fast.averagePool2x2(c.pool, input: $0, output: $1) } == int8s(c.y), "averagePool2x2 case \(i), fast")
        }
        for (i, c) in golden.globalAveragePool.enumerated() {
            let reference = run(int8s(c.x), outputCount: c.input[2]) { Reference.globalAveragePool(c.shape, input: $0, output: $1) }
            let fast = runGuarded(int8s(c.x), outputCount: c.input[2], as: Int8.self) { Fast.globalAveragePool(c.shape, input: $0, output: $1) }
            #expect(reference == int8s(c.y), "globalAveragePool case \(i), reference")
            #expect(fast.output == int8s(c.y) && !fast.overrun, "globalAveragePool case \(i), fast")
        }
    }

    @Test func padMatches() {
        #expect(golden.padValues.allSatisfy { $0.values != nil } && golden.pad.allSatisfy { $0.values == nil })
        for (i, c) in (golden.pad + golden.padValues).enumerated() {
            // The values (when there are) live as long as the case's kernels run.
            let values = c.values ?? []
            values.withUnsafeBufferPointer { v in
            var p = c.parameters
            p.values = c.values == nil ? nil : v.baseAddress
            for (name, kernel) in [("reference", Reference.pad), ("fast", Fast.pad)] as [(String, (PadParameters, UnsafePointer<Int8>, UnsafeMutablePointer<Int8>) -> Void)] {
                let got = runGuarded(int8s(c.x), outputCount: p.output.elementCount, as: Int8.self) { kernel(p, $0, $1) }
                #expect(got.output == int8s(c.y) && !got.overrun, "pad case \(i), \(name)")
            }
            }
        }
    }

    @Test func addMatches() {
        for (i, c) in golden.add.enumerated() {
            let p = c.parameters
            let second = int8s(c.x2)
            // Every plan Fast can be given on this machine: portable, and the ISA's SIMD one.
            let plans = [KernelPlan.canonical] + [KernelPlan(addFor: CPUFeatures.detected)]
            let kernels: [(String, (UnsafePointer<Int8>, UnsafeMutablePointer<Int8>) -> Void)] =
                [("reference", { x, y in second.withUnsafeBufferPointer { Reference.add(p, input1: x, input2: $0.baseAddress!, output: y) } })]
                + plans.map { plan in
                    ("fast \(plan.variant.name)", { x, y in second.withUnsafeBufferPointer { Fast.add(p, plan: plan, input1: x, input2: $0.baseAddress!, output: y) } })
                }
            for (name, kernel) in kernels {
                let got = runGuarded(int8s(c.x1), outputCount: p.count, as: Int8.self, kernel)
                #expect(got.output == int8s(c.y) && !got.overrun, "add case \(i), \(name)")
            }
        }
    }

    @Test func fullyConnectedMatches() throws {
        for (i, c) in golden.fullyConnected.enumerated() {
            let y = int8s(try #require(c.y))
            c.filter.withPointers { f in
                #expect(run(int8s(c.x), outputCount: c.outputCount) { Reference.fullyConnected(c.parameters, input: $0, filter: f, output: $1) } == y,
                        "fullyConnected case \(i), reference")
                #expect(run(int8s(c.x), outputCount: c.outputCount) { Fast.fullyConnected(c.parameters, input: $0, filter: f, output: $1) } == y,
                        "fullyConnected case \(i), fast")
            }
        }
        for (i, c) in golden.fullyConnectedAccumulators.enumerated() {
            c.filter.withPointers { f in
                let reference = runGuarded(int8s(c.x), outputCount: c.outputCount, as: Int32.self) {
                    Reference.fullyConnectedAccumulators(c.parameters, input: $0, weights: f.weights, bias: f.bias, output: $1)
                }
                let fast = runGuarded(int8s(c.x), outputCount: c.outputCount, as: Int32.self) {
                    Fast.fullyConnectedAccumulators(c.parameters, input: $0, weights: f.weights, bias: f.bias, output: $1)
                }
                #expect(reference.output == c.accumulators, "fullyConnectedAccumulators case \(i), reference")
                #expect(fast.output == c.accumulators, "fullyConnectedAccumulators case \(i), fast")
            }
        }
    }
}

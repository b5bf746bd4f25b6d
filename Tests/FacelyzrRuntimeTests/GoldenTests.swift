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

@Suite struct GoldenKernelTests {
    let golden: Golden.Kernels

    init() throws { golden = try Golden.load(Golden.Kernels.self, "kernels.json") }

    @Test func conv2DMatches() {
        for (i, c) in golden.conv2D.enumerated() {
            let p = c.parameters
            #expect(Padding(rawValue: c.padding == "same" ? 1 : 0)!
                .outputLength(input: c.input[0], kernel: c.kernel[0], stride: c.stride[0]) == (c.output[0], c.pad[0]))
            let out = c.filter.withPointers { f in
                run(int8s(c.x), outputCount: p.output.elementCount) { Reference.conv2D(p, input: $0, filter: f, output: $1) }
            }
            #expect(out == int8s(c.y), "conv2D case \(i)")
        }
    }

    @Test func depthwiseConv2DMatches() {
        for (i, c) in golden.depthwiseConv2D.enumerated() {
            let p = c.parameters
            let out = c.filter.withPointers { f in
                run(int8s(c.x), outputCount: p.output.elementCount) { Reference.depthwiseConv2D(p, input: $0, filter: f, output: $1) }
            }
            #expect(out == int8s(c.y), "depthwiseConv2D case \(i)")
        }
    }

    @Test func poolsMatch() {
        for (i, c) in golden.maxPool2x2.enumerated() {
            let out = run(int8s(c.x), outputCount: c.pool.output.elementCount) { Reference.maxPool2x2(c.pool, input: $0, output: $1) }
            #expect(out == int8s(c.y), "maxPool2x2 case \(i)")
        }
        for (i, c) in golden.averagePool2x2.enumerated() {
            let out = run(int8s(c.x), outputCount: c.pool.output.elementCount) { Reference.averagePool2x2(c.pool, input: $0, output: $1) }
            #expect(out == int8s(c.y), "averagePool2x2 case \(i)")
        }
        for (i, c) in golden.globalAveragePool.enumerated() {
            let out = run(int8s(c.x), outputCount: c.input[2]) { Reference.globalAveragePool(c.shape, input: $0, output: $1) }
            #expect(out == int8s(c.y), "globalAveragePool case \(i)")
        }
    }

    @Test func fullyConnectedMatches() throws {
        for (i, c) in golden.fullyConnected.enumerated() {
            let out = c.filter.withPointers { f in
                run(int8s(c.x), outputCount: c.outputCount) { Reference.fullyConnected(c.parameters, input: $0, filter: f, output: $1) }
            }
            #expect(out == int8s(try #require(c.y)), "fullyConnected case \(i)")
        }
        for (i, c) in golden.fullyConnectedAccumulators.enumerated() {
            var out = [Int32](repeating: 0, count: c.outputCount)
            c.filter.withPointers { f in
                int8s(c.x).withUnsafeBufferPointer { x in
                    out.withUnsafeMutableBufferPointer { o in
                        Reference.fullyConnectedAccumulators(
                            c.parameters, input: x.baseAddress!, weights: f.weights, bias: f.bias, output: o.baseAddress!)
                    }
                }
            }
            #expect(out == c.accumulators, "fullyConnectedAccumulators case \(i)")
        }
    }
}

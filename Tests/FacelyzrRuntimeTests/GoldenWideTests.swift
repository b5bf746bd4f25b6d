// The 16x8 kernels (docs/quantization.md "16-bit activations") reproduce tools/oracle/oracle.py's
// kernels16.json exactly, through every kernel set: `Reference`, and `Fast` (which runs
// `Reference`'s wide kernels for now, so this keeps it honest when it gets its own).
import Testing
@testable import FacelyzrRuntime

extension Golden {
    /// `kernels16.json`.
    struct WideKernels: Decodable {
        var conv2D: [Convolution]
        var depthwiseConv2D: [Convolution]
        var fullyConnected: [FullyConnected]
        var fullyConnectedAccumulators: [FullyConnected]
        var add: [Add]
        var maxPool: [MaxPool]
        var averagePool2x2: [Pool]
        var globalAveragePool: [Pool]
        var pad: [Pad]
        /// `[x, multiplier, shift, result]`.
        var multiplyByQuantizedMultiplier: [[Int64]]

        struct Convolution: Decodable {
            var bits: [Int]
            var input: [Int], output: [Int], kernel: [Int], stride: [Int], pad: [Int]
            var zeroPoints: [Int32], clamp: [Int32]
            var x: String, weights: String, y: String
            var bias: [Int64], multipliers: [Int32], shifts: [Int32]

            var parameters: ConvolutionParameters {
                ConvolutionParameters(
                    input: TensorShape(height: input[0], width: input[1], channels: input[2]),
                    output: TensorShape(height: output[0], width: output[1], channels: output[2]),
                    kernelHeight: kernel[0], kernelWidth: kernel[1], strideHeight: stride[0], strideWidth: stride[1],
                    padTop: pad[0], padLeft: pad[1], inputZeroPoint: zeroPoints[0], outputZeroPoint: zeroPoints[1],
                    outputMin: clamp[0], outputMax: clamp[1], rounding: .double)
            }
        }

        struct FullyConnected: Decodable {
            var bits: [Int]
            var inputCount: Int, outputCount: Int
            var zeroPoints: [Int32], clamp: [Int32]
            var x: String, weights: String
            var bias: [Int64], multipliers: [Int32], shifts: [Int32]
            var y: String?
            var accumulators: [Int32]?

            var parameters: FullyConnectedParameters {
                FullyConnectedParameters(
                    inputCount: inputCount, outputCount: outputCount, inputZeroPoint: zeroPoints[0], outputZeroPoint: zeroPoints[1],
                    outputMin: clamp[0], outputMax: clamp[1], rounding: .double)
            }
        }

        struct Add: Decodable {
            var shape: [Int], clamp: [Int32], multipliers: [Int32], shifts: [Int32]
            var x1: String, x2: String, y: String
        }

        struct MaxPool: Decodable {
            var input: [Int], output: [Int], kernel: [Int], stride: [Int], pad: [Int], clamp: [Int32]
            var x: String, y: String
        }

        struct Pool: Decodable {
            var input: [Int]
            var x: String, y: String
            var shape: TensorShape { TensorShape(height: input[0], width: input[1], channels: input[2]) }
        }

        struct Pad: Decodable {
            var input: [Int], before: [Int], after: [Int]
            var x: String, y: String
        }
    }
}

/// Little-endian int8 or int16 values from the oracle's hex strings, as int32.
func goldenValues(_ hex: String, bits: Int) -> [Int32] {
    let bytes = int8s(hex)
    guard bits == 16 else { return bytes.map(Int32.init) }
    return stride(from: 0, to: bytes.count, by: 2).map {
        Int32(Int16(bitPattern: UInt16(UInt8(bitPattern: bytes[$0])) | UInt16(UInt8(bitPattern: bytes[$0 + 1])) << 8))
    }
}

/// Runs `kernel` on `input` (as `In`s) into `count` `Out`s (plus a guard zone that must stay
/// untouched), returned as int32; nil on an overrun.
func runWide<In: ActivationElement, Out: ActivationElement>(
    _ input: [Int32], _: In.Type, count: Int, _: Out.Type,
    _ kernel: (UnsafePointer<In>, UnsafeMutablePointer<Out>) -> Void
) -> [Int32]? {
    let x = input.map { In(narrowing: $0) }
    var y = [Out](repeating: Out(narrowing: 0x55), count: count + 8)
    x.withUnsafeBufferPointer { i in y.withUnsafeMutableBufferPointer { o in kernel(i.baseAddress!, o.baseAddress!) } }
    guard y[count...].allSatisfy({ $0 == Out(narrowing: 0x55) }) else { return nil }
    return y[..<count].map(\.int32)
}

@Suite struct GoldenWideKernelTests {
    let golden: Golden.WideKernels

    init() throws { golden = try Golden.load(Golden.WideKernels.self, "kernels16.json") }

    @Test func multiplyByQuantizedMultiplierMatches() {
        #expect(golden.multiplyByQuantizedMultiplier.count > 600)
        for r in golden.multiplyByQuantizedMultiplier {
            #expect(multiplyByQuantizedMultiplier(r[0], multiplier: Int32(r[1]), shift: Int32(r[2])) == r[3], "\(r)")
        }
    }

    /// Conv and depthwise of every input/output type pair the oracle has (int16 -> int16 and
    /// the int8 <-> int16 boundaries).
    @Test func convolutionsMatch() {
        #expect(Set(golden.conv2D.map(\.bits)) == [[16, 16], [8, 16], [16, 8]])
        for (depthwise, cases) in [(false, golden.conv2D), (true, golden.depthwiseConv2D)] {
            for (i, c) in cases.enumerated() {
                let expected = goldenValues(c.y, bits: c.bits[1])
                #expect(convolve(Reference.self, c, depthwise: depthwise) == expected, "depthwise \(depthwise) case \(i) reference")
                #expect(convolve(Fast.self, c, depthwise: depthwise) == expected, "depthwise \(depthwise) case \(i) fast")
            }
        }
    }

    func convolve<K: KernelSet>(_ k: K.Type, _ c: Golden.WideKernels.Convolution, depthwise: Bool) -> [Int32]? {
        switch (c.bits[0], c.bits[1]) {
        case (8, 16): convolve(k, c, depthwise: depthwise, Int8.self, Int16.self)
        case (16, 8): convolve(k, c, depthwise: depthwise, Int16.self, Int8.self)
        default: convolve(k, c, depthwise: depthwise, Int16.self, Int16.self)
        }
    }

    func convolve<K: KernelSet, In: ActivationElement, Out: ActivationElement>(
        _: K.Type, _ c: Golden.WideKernels.Convolution, depthwise: Bool, _ i: In.Type, _ o: Out.Type
    ) -> [Int32]? {
        let p = c.parameters
        return withWideWeights(int8s(c.weights), c.bias, c.multipliers, c.shifts) { f in
            runWide(goldenValues(c.x, bits: c.bits[0]), i, count: p.output.elementCount, o) {
                K.wideConvolution(p, depthwise: depthwise, input: $0, filter: f, output: $1)
            }
        }
    }

    @Test func fullyConnectedMatches() {
        for (i, c) in golden.fullyConnected.enumerated() {
            let expected = goldenValues(c.y!, bits: c.bits[1])
            #expect(fullyConnected(Reference.self, c) == expected, "case \(i) reference")
            #expect(fullyConnected(Fast.self, c) == expected, "case \(i) fast")
        }
        // Heads: int64 sums saturated to int32, from int8 or int16 inputs.
        #expect(golden.fullyConnectedAccumulators.contains { $0.accumulators!.contains(Int32.max) || $0.accumulators!.contains(Int32.min) })
        for (i, c) in golden.fullyConnectedAccumulators.enumerated() {
            #expect(accumulators(Reference.self, c) == c.accumulators!, "head case \(i) reference")
            #expect(accumulators(Fast.self, c) == c.accumulators!, "head case \(i) fast")
        }
    }

    func fullyConnected<K: KernelSet>(_ k: K.Type, _ c: Golden.WideKernels.FullyConnected) -> [Int32]? {
        switch (c.bits[0], c.bits[1]) {
        case (8, 16): fullyConnected(k, c, Int8.self, Int16.self)
        case (16, 8): fullyConnected(k, c, Int16.self, Int8.self)
        default: fullyConnected(k, c, Int16.self, Int16.self)
        }
    }

    func fullyConnected<K: KernelSet, In: ActivationElement, Out: ActivationElement>(
        _: K.Type, _ c: Golden.WideKernels.FullyConnected, _ i: In.Type, _ o: Out.Type
    ) -> [Int32]? {
        withWideWeights(int8s(c.weights), c.bias, c.multipliers, c.shifts) { f in
            runWide(goldenValues(c.x, bits: c.bits[0]), i, count: c.outputCount, o) {
                K.wideFullyConnected(c.parameters, input: $0, filter: f, output: $1)
            }
        }
    }

    func accumulators<K: KernelSet>(_: K.Type, _ c: Golden.WideKernels.FullyConnected) -> [Int32] {
        func run<In: ActivationElement>(_: In.Type) -> [Int32] {
            let x = goldenValues(c.x, bits: c.bits[0]).map { In(narrowing: $0) }
            var out = [Int32](repeating: 0, count: c.outputCount)
            int8s(c.weights).withUnsafeBufferPointer { w in
                c.bias.withUnsafeBufferPointer { b in
                    x.withUnsafeBufferPointer { i in
                        out.withUnsafeMutableBufferPointer { o in
                            K.wideFullyConnectedAccumulators(c.parameters, input: i.baseAddress!, weights: w.baseAddress!, bias: b.baseAddress!, output: o.baseAddress!)
                        }
                    }
                }
            }
            return out
        }
        return c.bits[0] == 8 ? run(Int8.self) : run(Int16.self)
    }

    @Test func addMatches() {
        for (i, c) in golden.add.enumerated() {
            let count = c.shape.reduce(1, *)
            let p = AddParameters(
                count: count, input1ZeroPoint: 0, input2ZeroPoint: 0, input1Multiplier: c.multipliers[0], input1Shift: c.shifts[0],
                input2Multiplier: c.multipliers[1], input2Shift: c.shifts[1], outputMultiplier: c.multipliers[2], outputShift: c.shifts[2],
                outputZeroPoint: 0, outputMin: c.clamp[0], outputMax: c.clamp[1])
            let second = goldenValues(c.x2, bits: 16).map { Int16($0) }
            for (name, add) in [("reference", Reference.wideAdd), ("fast", Fast.wideAdd)] as [(String, (AddParameters, UnsafePointer<Int16>, UnsafePointer<Int16>, UnsafeMutablePointer<Int16>) -> Void)] {
                let got = second.withUnsafeBufferPointer { x2 in
                    runWide(goldenValues(c.x1, bits: 16), Int16.self, count: count, Int16.self) { add(p, $0, x2.baseAddress!, $1) }
                }
                #expect(got == goldenValues(c.y, bits: 16), "add case \(i) \(name)")
            }
        }
    }

    @Test func poolsAndPadMatch() {
        for (i, c) in golden.maxPool.enumerated() {
            let p = MaxPoolParameters(
                input: TensorShape(height: c.input[0], width: c.input[1], channels: c.input[2]),
                output: TensorShape(height: c.output[0], width: c.output[1], channels: c.output[2]),
                kernelHeight: c.kernel[0], kernelWidth: c.kernel[1], strideHeight: c.stride[0], strideWidth: c.stride[1],
                padTop: c.pad[0], padLeft: c.pad[1])
            let got = runWide(goldenValues(c.x, bits: 16), Int16.self, count: p.output.elementCount, Int16.self) {
                Reference.maxPool(p, outputMin: c.clamp[0], outputMax: c.clamp[1], input: $0, output: $1)
            }
            #expect(got == goldenValues(c.y, bits: 16), "maxPool case \(i)")
        }
        for (i, c) in golden.averagePool2x2.enumerated() {
            let p = PoolParameters(input: c.shape, output: TensorShape(height: c.input[0] / 2, width: c.input[1] / 2, channels: c.input[2]))
            let got = runWide(goldenValues(c.x, bits: 16), Int16.self, count: p.output.elementCount, Int16.self) {
                Reference.averagePool2x2(p, elements: $0, output: $1)
            }
            #expect(got == goldenValues(c.y, bits: 16), "averagePool2x2 case \(i)")
        }
        for (i, c) in golden.globalAveragePool.enumerated() {
            let got = runWide(goldenValues(c.x, bits: 16), Int16.self, count: c.input[2], Int16.self) {
                Reference.globalAveragePool(c.shape, elements: $0, output: $1)
            }
            #expect(got == goldenValues(c.y, bits: 16), "globalAveragePool case \(i)")
        }
        for (i, c) in golden.pad.enumerated() {
            let p = PadParameters(
                input: TensorShape(height: c.input[0], width: c.input[1], channels: c.input[2]),
                output: TensorShape(height: c.before[0] + c.input[0] + c.after[0], width: c.before[1] + c.input[1] + c.after[1],
                                    channels: c.before[2] + c.input[2] + c.after[2]),
                top: c.before[0], left: c.before[1], channelsBefore: c.before[2], zeroPoint: 0)
            let got = runWide(goldenValues(c.x, bits: 16), Int16.self, count: p.output.elementCount, Int16.self) {
                Reference.pad(p, elements: $0, output: $1)
            }
            #expect(got == goldenValues(c.y, bits: 16), "pad case \(i)")
        }
    }
}

/// `body` with a `WideWeights` over the arrays.
func withWideWeights<R>(_ weights: [Int8], _ bias: [Int64], _ multipliers: [Int32], _ shifts: [Int32], _ body: (WideWeights) -> R) -> R {
    weights.withUnsafeBufferPointer { w in
        bias.withUnsafeBufferPointer { b in
            multipliers.withUnsafeBufferPointer { m in
                shifts.withUnsafeBufferPointer { s in
                    body(WideWeights(weights: w.baseAddress!, bias: b.baseAddress!, multipliers: m.baseAddress!, shifts: s.baseAddress!))
                }
            }
        }
    }
}

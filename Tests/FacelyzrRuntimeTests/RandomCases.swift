// Seeded random kernel configurations for the fast-vs-reference property tests.
import FacelyzrRandom
@testable import FacelyzrRuntime

/// Random kernel cases drawn from a SplitMix64 stream: a case is reproduced from its seed alone.
extension SplitMix64 {
    mutating func int(_ range: ClosedRange<Int>) -> Int { Int.random(in: range, using: &self) }
    mutating func int32(_ range: ClosedRange<Int32>) -> Int32 { Int32.random(in: range, using: &self) }
    mutating func pick<T>(_ options: [T]) -> T { options[int(0...options.count - 1)] }

    /// Int8 values in `range`, a quarter of them at its ends.
    mutating func int8s(_ count: Int, _ range: ClosedRange<Int8> = -128...127) -> [Int8] {
        (0..<count).map { _ in
            int(0...3) == 0 ? pick([range.lowerBound, range.upperBound]) : Int8.random(in: range, using: &self)
        }
    }

    mutating func zeroPoint() -> Int32 { pick([-128, 127, 0, int32(-128...127), int32(-128...127)]) }

    mutating func clamp(zeroPoint: Int32) -> (Int32, Int32) {
        switch int(0...2) {
        case 0: (-128, 127)
        case 1: (zeroPoint, 127)                                  // ReLU
        default: (zeroPoint, min(127, zeroPoint + int32(0...100)))  // ReLU6 at some scale
        }
    }

    mutating func bias(_ count: Int) -> [Int32] {
        (0..<count).map { _ in pick([int32(-1000...1000), int32(-(1 << 20)...(1 << 20)), int32(Int32.min...Int32.max)]) }
    }

    /// Weights in [-127, 127]; one channel in eight all zero.
    mutating func weights(channels: Int, perChannel: Int) -> [Int8] {
        (0..<channels).flatMap { _ in
            int(0...7) == 0 ? [Int8](repeating: 0, count: perChannel) : int8s(perChannel, -127...127)
        }
    }

    mutating func requantization(_ channels: Int) -> (multipliers: [Int32], shifts: [Int32]) {
        var multipliers: [Int32] = [], shifts: [Int32] = []
        for _ in 0..<channels {
            let (m, s): (Int32, Int32)
            switch int(0...9) {
            case 0: (m, s) = (0, 0)
            case 1: (m, s) = (pick([1 << 30, Int32.max]), pick([-31, 30, -1, 0, 1]))
            case 2: (m, s) = (int32((1 << 30)...Int32.max), int32(-31...30))
            default:  // realistic effective scales, 2^-16 ..< 2^2
                let real = Double(sign: .plus, exponent: int(-16...1), significand: 1 + Double(int(0...999_999)) / 1_000_000)
                (m, s) = quantizeMultiplier(real)
            }
            multipliers.append(m)
            shifts.append(s)
        }
        return (multipliers, shifts)
    }

    /// A convolution (or depthwise, `outChannels == inChannels`) on a small image.
    /// `manyFilters`: up to 72 output channels (beyond the four 16-channel blocks of a VNNI tile).
    mutating func convolution(depthwise: Bool, manyFilters: Bool = false) -> (ConvolutionParameters, input: [Int8], filter: ChannelwiseArrays) {
        while true {
            // One case in four is wide (beyond one 16-channel block of the fast kernels) and small;
            // with many filters, one in four has long rows (several in-place quad tiles in a row).
            let wide = int(0...3) == 0
            let longRows = manyFilters && int(0...3) == 0
            // One convolution in eight has a receptive field over the packed kernels' gather buffer
            // (`Fast.maximumPackedField`): the imported nets' 6x6x32 stride 2 and 3x3 over 128
            // or 256 channels, or any kernel over 100...300 channels; the pairs and rows kernels
            // take them in chunks of whole kernel rows.
            if !depthwise && int(0...7) == 0 {
                let (kernel, channels, stride) = pick([
                    ((6, 6), 32, (2, 2)), ((3, 3), 128, (1, 1)), ((3, 3), 256, (int(1...2), int(1...2))),
                    ((int(1...7), int(1...7)), int(100...300), (int(1...2), int(1...2))),
                ])
                let zp = zeroPoint()
                let outZp = zeroPoint()
                let (lo, hi) = clamp(zeroPoint: outZp)
                // Over 128 output channels: more blocks than keep their accumulators across chunks at once.
                let p = ConvolutionParameters.make(
                    input: TensorShape(height: int(1...5), width: int(1...5), channels: channels),
                    outChannels: manyFilters ? pick([int(1...16), int(17...40), int(129...140)]) : int(1...7), kernel: kernel,
                    stride: stride, padding: pick([.same, .valid]),
                    inputZeroPoint: zp, outputZeroPoint: outZp, outputMin: lo, outputMax: hi, rounding: pick([.double, .single]))
                // A kernel row over the buffer keeps the canonical weights (KernelPlanTests).
                if p.output.elementCount == 0 || p.kernelWidth * channels > Fast.maximumPackedField { continue }
                return (p, int8s(p.input.elementCount), filter(p))
            }
            let shape = wide
                ? TensorShape(height: int(1...4), width: int(1...4), channels: int(13...40))
                : longRows
                ? TensorShape(height: int(1...4), width: int(9...24), channels: int(1...20))
                : TensorShape(height: int(1...8), width: int(1...8), channels: int(1...7))
            let outChannels = depthwise ? shape.channels : manyFilters ? int(1...72) : int(1...7)
            // Kernels up to 7 (the age net's first convolution); a receptive field larger than the
            // packed kernels take (`Fast.maximumPackedField`) is drawn again.
            let zp = zeroPoint()
            let outZp = zeroPoint()
            let (lo, hi) = clamp(zeroPoint: outZp)
            let p = ConvolutionParameters.make(
                input: shape, outChannels: outChannels, kernel: (int(1...7), int(1...7)),
                stride: (int(1...2), int(1...2)), padding: pick([.same, .valid]),
                inputZeroPoint: zp, outputZeroPoint: outZp, outputMin: lo, outputMax: hi,
                rounding: pick([.double, .single]))
            if p.output.elementCount == 0 || p.kernelHeight * p.kernelWidth * shape.channels > Fast.maximumPackedField { continue }
            let taps = p.kernelHeight * p.kernelWidth
            if depthwise {
                let (multipliers, shifts) = requantization(outChannels)
                return (p, int8s(shape.elementCount),
                        ChannelwiseArrays(weights: weights(channels: 1, perChannel: taps * shape.channels), bias: bias(outChannels),
                                          multipliers: multipliers, shifts: shifts))
            }
            return (p, int8s(shape.elementCount), filter(p))
        }
    }

    /// Random weights, biases and requantisation of conv2D `p`.
    mutating func filter(_ p: ConvolutionParameters) -> ChannelwiseArrays {
        let (multipliers, shifts) = requantization(p.output.channels)
        return ChannelwiseArrays(
            weights: weights(channels: p.output.channels, perChannel: p.kernelHeight * p.kernelWidth * p.input.channels),
            bias: bias(p.output.channels), multipliers: multipliers, shifts: shifts)
    }

    mutating func fullyConnected() -> (FullyConnectedParameters, input: [Int8], filter: ChannelwiseArrays) {
        let inputs = pick([int(1...16), int(1...300)])
        let outputs = int(1...9)
        let outZp = zeroPoint()
        let (lo, hi) = clamp(zeroPoint: outZp)
        let p = FullyConnectedParameters(
            inputCount: inputs, outputCount: outputs, inputZeroPoint: zeroPoint(), outputZeroPoint: outZp,
            outputMin: lo, outputMax: hi, rounding: pick([.double, .single]))
        let (multipliers, shifts) = requantization(outputs)
        return (p, int8s(inputs), ChannelwiseArrays(
            weights: weights(channels: outputs, perChannel: inputs), bias: bias(outputs),
            multipliers: multipliers, shifts: shifts))
    }

    /// An add of two random tensors: its factors from random scales as the quantizer picks them
    /// (`BlobBuilder.addRequantization`'s rule, written out here), or, one case in four, any
    /// multipliers and shifts the validator takes.
    mutating func add() -> (AddParameters, input1: [Int8], input2: [Int8]) {
        let count = pick([int(1...40), int(1...600)])
        var m = [Int32](), s = [Int32]()
        if int(0...3) == 0 {
            for _ in 0..<3 {
                m.append(pick([0, 1 << 30, Int32.max, int32(0...Int32.max)]))
                s.append(pick([-31, 0, int32(-31...0)]))
            }
        } else {
            let scales = (0..<3).map { _ in Float(Double(sign: .plus, exponent: int(-10...0), significand: 1 + Double(int(0...999)) / 1000)) }
            let twice = 2 * Double(max(scales[0], scales[1]))
            for real in [Double(scales[0]) / twice, Double(scales[1]) / twice, twice / (1_048_576 * Double(scales[2]))] {
                let (multiplier, shift) = quantizeMultiplier(real)
                m.append(multiplier)
                s.append(shift)
            }
        }
        let outputZeroPoint = zeroPoint()
        let (low, high) = clamp(zeroPoint: outputZeroPoint)
        let p = AddParameters(
            count: count, input1ZeroPoint: zeroPoint(), input2ZeroPoint: zeroPoint(),
            input1Multiplier: m[0], input1Shift: s[0], input2Multiplier: m[1], input2Shift: s[1],
            outputMultiplier: m[2], outputShift: s[2], outputZeroPoint: outputZeroPoint, outputMin: low, outputMax: high)
        return (p, int8s(count), int8s(count))
    }

    /// A k x k / stride s max pool (kernels and strides 1...7, both paddings, a clamp one case in
    /// three) over a random image it fits.
    mutating func maxPool() -> (MaxPoolParameters, input: [Int8]) {
        while true {
            let shape = poolShape(minimum: 1)
            let kernel = (int(1...7), int(1...7)), stride = (int(1...7), int(1...7))
            let padding: Padding = pick([.same, .valid])
            let rows = padding.outputLength(input: shape.height, kernel: kernel.0, stride: stride.0)
            let columns = padding.outputLength(input: shape.width, kernel: kernel.1, stride: stride.1)
            if rows.length == 0 || columns.length == 0 { continue }
            let (low, high) = int(0...2) == 0 ? clamp(zeroPoint: zeroPoint()) : (-128, 127)
            let p = MaxPoolParameters(
                input: shape, output: TensorShape(height: rows.length, width: columns.length, channels: shape.channels),
                kernelHeight: kernel.0, kernelWidth: kernel.1, strideHeight: stride.0, strideWidth: stride.1,
                padTop: rows.padBefore, padLeft: columns.padBefore,
                outputMin: Int8(truncatingIfNeeded: low), outputMax: Int8(truncatingIfNeeded: high))
            return (p, int8s(shape.elementCount))
        }
    }

    mutating func poolShape(minimum: Int) -> TensorShape {
        TensorShape(height: int(minimum...9), width: int(minimum...9), channels: pick([int(1...9), int(14...40)]))
    }
}

/// Runs `kernel` with an output of `count` elements followed by canary elements, and reports
/// whether the kernel wrote past its output.
func runGuarded<Element: FixedWidthInteger>(
    _ input: [Int8], outputCount count: Int, as: Element.Type,
    _ kernel: (UnsafePointer<Int8>, UnsafeMutablePointer<Element>) -> Void
) -> (output: [Element], overrun: Bool) {
    var output = [Element](repeating: 0x55, count: count + 8)
    input.withUnsafeBufferPointer { i in
        output.withUnsafeMutableBufferPointer { o in kernel(i.baseAddress!, o.baseAddress!) }
    }
    return (Array(output[..<count]), !output[count...].allSatisfy { $0 == 0x55 })
}

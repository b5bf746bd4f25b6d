// Hand-worked cases of docs/quantization.md for the reference kernels.
import Testing
@testable import FacelyzrRuntime

@Suite struct ReferenceConvolutionTests {
    // Input 3x3x1 = 1...9 with zero point 1, so the real values are 0...8.
    let input: [Int8] = [1, 2, 3, 4, 5, 6, 7, 8, 9]
    let shape = TensorShape(height: 3, width: 3, channels: 1)

    @Test func samePaddingSkipsTapsOutsideTheImage() {
        let p = ConvolutionParameters.make(
            input: shape, outChannels: 1, kernel: (3, 3), stride: (1, 1), padding: .same, inputZeroPoint: 1)
        let filter = ChannelwiseArrays(weights: Array(repeating: 1, count: 9), bias: [0])
        let out = filter.withPointers { f in run(input, outputCount: 9) { Reference.conv2D(p, input: $0, filter: f, output: $1) } }
        // Sums of the real 3x3 neighbourhoods; a corner sees 4 taps (0+1+3+4 = 8), not 9.
        #expect(out == [8, 15, 12, 21, 36, 27, 20, 33, 24])
    }

    @Test func strideTwoSamePadding() {
        let p = ConvolutionParameters.make(
            input: shape, outChannels: 1, kernel: (3, 3), stride: (2, 2), padding: .same, inputZeroPoint: 1)
        #expect(p.output == TensorShape(height: 2, width: 2, channels: 1) && p.padTop == 1)
        let filter = ChannelwiseArrays(weights: Array(repeating: 1, count: 9), bias: [0])
        let out = filter.withPointers { f in run(input, outputCount: 4) { Reference.conv2D(p, input: $0, filter: f, output: $1) } }
        #expect(out == [8, 12, 20, 24])
    }

    @Test func zeroWeightChannelOutputsItsZeroPoint() {
        // Two filters 1x1: the first copies the real input plus bias 2, the second is all zero
        // (multiplier 0) and outputs the output zero point, whatever its bias.
        let p = ConvolutionParameters.make(
            input: shape, outChannels: 2, kernel: (1, 1), stride: (1, 1), padding: .valid,
            inputZeroPoint: 1, outputZeroPoint: -7)
        let filter = ChannelwiseArrays(
            weights: [1, 0], bias: [2, 1000], multipliers: [1 << 30, 0], shifts: [1, 0])
        let out = filter.withPointers { f in run(input, outputCount: 18) { Reference.conv2D(p, input: $0, filter: f, output: $1) } }
        let expected: [Int8] = [-5, -7, -4, -7, -3, -7, -2, -7, -1, -7, 0, -7, 1, -7, 2, -7, 3, -7]
        #expect(out == expected)  // real input 0...8, + 2, + zero point -7
    }

    @Test func depthwiseKeepsChannelsApart() {
        let shape = TensorShape(height: 2, width: 2, channels: 2)
        let input: [Int8] = [1, -1, 2, -2, 3, -3, 4, -4]
        let p = ConvolutionParameters.make(input: shape, outChannels: 2, kernel: (2, 2), stride: (1, 1), padding: .valid)
        let filter = ChannelwiseArrays(weights: [1, -1, 1, -1, 1, -1, 1, -1], bias: [1, -1])
        let out = filter.withPointers { f in run(input, outputCount: 2) { Reference.depthwiseConv2D(p, input: $0, filter: f, output: $1) } }
        #expect(out == [11, 9])
    }

    @Test func fusedReLUClampsAtTheOutputZeroPoint() {
        let p = ConvolutionParameters.make(
            input: TensorShape(height: 1, width: 2, channels: 1), outChannels: 1, kernel: (1, 1),
            stride: (1, 1), padding: .valid, outputZeroPoint: -10, outputMin: -10)
        let filter = ChannelwiseArrays(weights: [-1], bias: [0])
        let out = filter.withPointers { f in run([5, -5], outputCount: 2) { Reference.conv2D(p, input: $0, filter: f, output: $1) } }
        #expect(out == [-10, -5])
    }
}

@Suite struct ReferencePoolingTests {
    @Test func maxPoolIsExact() {
        let p = PoolParameters(input: TensorShape(height: 2, width: 4, channels: 1),
                               output: TensorShape(height: 1, width: 2, channels: 1))
        let out = run([-128, -128, 127, 0, -128, -127, 5, 6], outputCount: 2) { Reference.maxPool2x2(p, input: $0, output: $1) }
        #expect(out == [-127, 127])
    }

    @Test func averagePoolRoundsHalfAwayFromZero() {
        // One 2x2 window per channel, 4 channels: sums 2, -2, -1, -512.
        let p = PoolParameters(input: TensorShape(height: 2, width: 2, channels: 4),
                               output: TensorShape(height: 1, width: 1, channels: 4))
        let input: [Int8] = [1, -1, -1, -128, 1, -1, 0, -128, 0, 0, 0, -128, 0, 0, 0, -128]
        let out = run(input, outputCount: 4) { Reference.averagePool2x2(p, input: $0, output: $1) }
        #expect(out == [1, -1, 0, -128])
    }

    @Test func globalAveragePoolRoundsHalfAwayFromZero() {
        // 3x1 positions, 2 channels: channel 0 sums -2 (-0.667 -> -1), channel 1 sums 4 (1.333 -> 1).
        let shape = TensorShape(height: 3, width: 1, channels: 2)
        let out = run([-1, 1, -1, 1, 0, 2], outputCount: 2) { Reference.globalAveragePool(shape, input: $0, output: $1) }
        #expect(out == [-1, 1])
    }
}

@Suite struct ReferenceFullyConnectedTests {
    // x - zp_in = [2, -1, 4]
    let input: [Int8] = [1, -2, 3]
    let filter = ChannelwiseArrays(
        weights: [1, 1, 1, 127, -127, 0], bias: [10, -1],
        multipliers: [1 << 30, 1 << 30], shifts: [0, 0])
    let p = FullyConnectedParameters(
        inputCount: 3, outputCount: 2, inputZeroPoint: -1, outputZeroPoint: 3,
        outputMin: -128, outputMax: 127, rounding: .single)

    @Test func accumulatorsAreTheRawDotProductsPlusBias() {
        var out = [Int32](repeating: 0, count: 2)
        filter.withPointers { f in
            input.withUnsafeBufferPointer { i in
                out.withUnsafeMutableBufferPointer { o in
                    Reference.fullyConnectedAccumulators(p, input: i.baseAddress!, weights: f.weights, bias: f.bias, output: o.baseAddress!)
                }
            }
        }
        #expect(out == [15, 380])
    }

    @Test func int8OutputIsRequantised() {
        // 15 * 0.5 = 7.5 -> 8, + 3; 380 * 0.5 + 3 clamps to 127.
        let out = filter.withPointers { f in run(input, outputCount: 2) { Reference.fullyConnected(p, input: $0, filter: f, output: $1) } }
        #expect(out == [11, 127])
    }
}

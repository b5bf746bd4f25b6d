// The vocabulary shared by the kernels, the blob format and the executor.
// The arithmetic these parameters drive is specified once, in docs/quantization.md.

/// How an int32 accumulator is rounded back to int8 (docs/quantization.md, "Requantization").
public enum RoundingMode: UInt8, Sendable {
    /// `RoundingDivideByPOT(SaturatingRoundingDoublingHighMul(x << left, M), right)`:
    /// TFLite's reference CONV_2D rounding.
    case double = 0
    /// `(x * M + 2^(30 - shift)) >> (31 - shift)` in 64-bit: TFLite's other rounding.
    case single = 1
}

/// Zero padding rule for convolutions and pools, as TensorFlow defines it.
public enum Padding: UInt8, Sendable {
    case valid = 0
    case same = 1

    /// Output length and leading padding along one axis.
    ///
    /// `same`: `out = ceil(in / stride)`, `padBefore = max((out - 1) * stride + kernel - in, 0) / 2`.
    /// `valid`: `out = (in - kernel) / stride + 1`, `padBefore = 0`.
    @inlinable
    public func outputLength(input: Int, kernel: Int, stride: Int) -> (length: Int, padBefore: Int) {
        switch self {
        case .valid:
            return (input < kernel ? 0 : (input - kernel) / stride + 1, 0)
        case .same:
            let out = (input + stride - 1) / stride
            let total = max((out - 1) * stride + kernel - input, 0)
            return (out, total / 2)
        }
    }
}

/// Shape of one activation tensor: batch 1, NHWC layout, int8 values.
public struct TensorShape: Sendable, Equatable {
    public var height: Int
    public var width: Int
    public var channels: Int

    @inlinable
    public init(height: Int, width: Int, channels: Int) {
        self.height = height
        self.width = width
        self.channels = channels
    }

    /// Number of elements (and bytes, for int8).
    @inlinable
    public var elementCount: Int { height * width * channels }
}

/// Parameters of a 2-D convolution or a depthwise convolution (depth multiplier 1).
///
/// Weights are int8 in `[-127, 127]` (zero point 0), laid out OHWI for conv2d
/// (`[outChannel][ky][kx][inChannel]`) and HWC for depthwise (`[ky][kx][channel]`).
/// Taps outside the input are skipped (they equal real zero, i.e. `inputZeroPoint`).
public struct ConvolutionParameters: Sendable, Equatable {
    public var input: TensorShape
    /// `output.channels` is the number of filters (equal to `input.channels` for depthwise).
    public var output: TensorShape
    public var kernelHeight: Int
    public var kernelWidth: Int
    public var strideHeight: Int
    public var strideWidth: Int
    /// Rows of padding above the input (from `Padding.outputLength`).
    public var padTop: Int
    /// Columns of padding left of the input.
    public var padLeft: Int
    public var inputZeroPoint: Int32
    public var outputZeroPoint: Int32
    /// Fused activation as a clamp in the output's quantized domain (ReLU: `outputZeroPoint...127`).
    public var outputMin: Int32
    public var outputMax: Int32
    public var rounding: RoundingMode

    @inlinable
    public init(
        input: TensorShape, output: TensorShape,
        kernelHeight: Int, kernelWidth: Int, strideHeight: Int, strideWidth: Int,
        padTop: Int, padLeft: Int,
        inputZeroPoint: Int32, outputZeroPoint: Int32, outputMin: Int32, outputMax: Int32,
        rounding: RoundingMode
    ) {
        self.input = input
        self.output = output
        self.kernelHeight = kernelHeight
        self.kernelWidth = kernelWidth
        self.strideHeight = strideHeight
        self.strideWidth = strideWidth
        self.padTop = padTop
        self.padLeft = padLeft
        self.inputZeroPoint = inputZeroPoint
        self.outputZeroPoint = outputZeroPoint
        self.outputMin = outputMin
        self.outputMax = outputMax
        self.rounding = rounding
    }
}

/// Parameters of a fully connected layer: `output[o] = requantize(sum_i w[o][i] * (x[i] - zp_in) + bias[o])`.
public struct FullyConnectedParameters: Sendable, Equatable {
    public var inputCount: Int
    public var outputCount: Int
    public var inputZeroPoint: Int32
    /// Unused when the layer outputs raw int32 accumulators (a head's last layer).
    public var outputZeroPoint: Int32
    public var outputMin: Int32
    public var outputMax: Int32
    public var rounding: RoundingMode

    @inlinable
    public init(
        inputCount: Int, outputCount: Int, inputZeroPoint: Int32, outputZeroPoint: Int32,
        outputMin: Int32, outputMax: Int32, rounding: RoundingMode
    ) {
        self.inputCount = inputCount
        self.outputCount = outputCount
        self.inputZeroPoint = inputZeroPoint
        self.outputZeroPoint = outputZeroPoint
        self.outputMin = outputMin
        self.outputMax = outputMax
        self.rounding = rounding
    }
}

/// Parameters of a 2x2, stride-2 max or average pool (valid padding). Pools keep the
/// input's scale and zero point.
public struct PoolParameters: Sendable, Equatable {
    public var input: TensorShape
    public var output: TensorShape

    @inlinable
    public init(input: TensorShape, output: TensorShape) {
        self.input = input
        self.output = output
    }
}

/// Parameters of a k x k / stride s max pool (docs/quantization.md "Max pool"): output pixel
/// `(y, x)` takes the largest stored value of the window rows `y * strideHeight - padTop ..<
/// + kernelHeight` and columns likewise that lie inside the input, clamped to
/// `outputMin...outputMax`; the output keeps the input's scale and zero point.
public struct MaxPoolParameters: Sendable, Equatable {
    public var input: TensorShape
    public var output: TensorShape
    public var kernelHeight: Int
    public var kernelWidth: Int
    public var strideHeight: Int
    public var strideWidth: Int
    /// Rows of padding above the input and columns left of it (`Padding.outputLength`).
    public var padTop: Int
    public var padLeft: Int
    /// Fused activation as a clamp of the stored values (ReLU: `zeroPoint...127`).
    public var outputMin: Int8
    public var outputMax: Int8

    @inlinable
    public init(
        input: TensorShape, output: TensorShape, kernelHeight: Int, kernelWidth: Int, strideHeight: Int, strideWidth: Int,
        padTop: Int, padLeft: Int, outputMin: Int8 = .min, outputMax: Int8 = .max
    ) {
        (self.input, self.output) = (input, output)
        (self.kernelHeight, self.kernelWidth, self.strideHeight, self.strideWidth) = (kernelHeight, kernelWidth, strideHeight, strideWidth)
        (self.padTop, self.padLeft, self.outputMin, self.outputMax) = (padTop, padLeft, outputMin, outputMax)
    }

    /// The window's rows (or columns) inside the input for output row (column) `index`:
    /// `first..<end` in window coordinates, never empty for TensorFlow's padding rules.
    @inlinable
    public func window(_ index: Int, stride: Int, pad: Int, kernel: Int, input: Int) -> (origin: Int, first: Int, end: Int) {
        let origin = index * stride - pad
        return (origin, max(0, -origin), min(kernel, input - origin))
    }
}

/// Per-output-channel int8 weights with their int32 bias and requantization.
///
/// All pointers are views into the blob (zero-copy). `multipliers[c]` is Q31 and
/// `shifts[c]` in `[-31, 30]` (docs/quantization.md); a channel whose weights are all
/// zero has multiplier 0.
public struct ChannelwiseWeights: @unchecked Sendable {
    public var weights: UnsafePointer<Int8>
    public var bias: UnsafePointer<Int32>
    public var multipliers: UnsafePointer<Int32>
    public var shifts: UnsafePointer<Int32>
    /// The same weights repacked for one kernel set's access order (`KernelSet.pack`), or nil:
    /// kernels that find nil read the canonical weights above.
    public var packed: UnsafeRawPointer?

    @inlinable
    public init(
        weights: UnsafePointer<Int8>, bias: UnsafePointer<Int32>,
        multipliers: UnsafePointer<Int32>, shifts: UnsafePointer<Int32>, packed: UnsafeRawPointer? = nil
    ) {
        self.weights = weights
        self.bias = bias
        self.multipliers = multipliers
        self.shifts = shifts
        self.packed = packed
    }
}

/// Parameters of an element-wise add of two int8 tensors of one shape, TFLite ADD int8
/// (docs/quantization.md "Add"): each input less its zero point, shifted left by
/// `inputLeftShift`, scaled by its multiplier and shift; the sum scaled by the output's, plus the
/// output zero point, clamped. Double rounding throughout; every shift is in `[-31, 0]`.
public struct AddParameters: Sendable, Equatable {
    /// TFLite's `left_shift` for int8 inputs: the headroom the two scaled inputs keep.
    public static let inputLeftShift: Int32 = 20

    /// Elements of each tensor.
    public var count: Int
    public var input1ZeroPoint: Int32
    public var input2ZeroPoint: Int32
    public var input1Multiplier: Int32
    public var input1Shift: Int32
    public var input2Multiplier: Int32
    public var input2Shift: Int32
    public var outputMultiplier: Int32
    public var outputShift: Int32
    public var outputZeroPoint: Int32
    /// Fused activation as a clamp in the output's quantized domain.
    public var outputMin: Int32
    public var outputMax: Int32

    @inlinable
    public init(
        count: Int, input1ZeroPoint: Int32, input2ZeroPoint: Int32,
        input1Multiplier: Int32, input1Shift: Int32, input2Multiplier: Int32, input2Shift: Int32,
        outputMultiplier: Int32, outputShift: Int32, outputZeroPoint: Int32, outputMin: Int32, outputMax: Int32
    ) {
        self.count = count
        self.input1ZeroPoint = input1ZeroPoint
        self.input2ZeroPoint = input2ZeroPoint
        self.input1Multiplier = input1Multiplier
        self.input1Shift = input1Shift
        self.input2Multiplier = input2Multiplier
        self.input2Shift = input2Shift
        self.outputMultiplier = outputMultiplier
        self.outputShift = outputShift
        self.outputZeroPoint = outputZeroPoint
        self.outputMin = outputMin
        self.outputMax = outputMax
    }

    /// TFLite's `left_shift` for int16 inputs (docs/quantization.md "16-bit activations").
    public static let int16InputLeftShift: Int32 = 15

    /// One output element from the stored inputs `x1`, `x2` (int8, or int16 with the int16
    /// left shift and zero points 0): the whole arithmetic of the op. No step can overflow:
    /// `|x - zp| * 2^shift <= 2^28` (int8) or `2^30` (int16), each scaled input is below that
    /// (its factor is below 1), so their sum is below 2^31.
    @inlinable
    public func element(_ x1: Int8, _ x2: Int8) -> Int8 { element(of: x1, x2) }

    /// `element` of either element type.
    @inlinable
    public func element<T: ActivationElement>(of x1: T, _ x2: T) -> T {
        let shift = T.layout == .nhwcInt16 ? Self.int16InputLeftShift : Self.inputLeftShift
        let a = (x1.int32 &- input1ZeroPoint) &<< shift
        let b = (x2.int32 &- input2ZeroPoint) &<< shift
        let scaledA = requantize(a, multiplier: input1Multiplier, shift: input1Shift, rounding: .double)
        let scaledB = requantize(b, multiplier: input2Multiplier, shift: input2Shift, rounding: .double)
        let scaled = requantize(scaledA &+ scaledB, multiplier: outputMultiplier, shift: outputShift, rounding: .double)
        // Clamping to [-2^16, 2^16 - 1] first cannot change the final clamp to a subrange of the
        // element's range once a zero point in [-128, 127] is added, and keeps the add in range
        // (for int8 the same as `requantizeToInt8`'s).
        let shiftedToOutput = min(max(scaled, -65_536), 65_535) &+ outputZeroPoint
        return T(narrowing: min(max(shiftedToOutput, outputMin), outputMax))
    }
}

/// Parameters of a pad (docs/quantization.md "Pad"): the input lies in the output at `top`,
/// `left`, `channelsBefore`; every other output cell of channel `c` holds `values[c]`, or
/// `zeroPoint` (real zero) when `values` is nil.
public struct PadParameters: @unchecked Sendable, Equatable {
    public var input: TensorShape
    public var output: TensorShape
    public var top: Int
    public var left: Int
    public var channelsBefore: Int
    public var zeroPoint: Int8
    /// One stored value per output channel for the padded cells (version 3), or nil.
    public var values: UnsafePointer<Int8>?

    @inlinable
    public init(
        input: TensorShape, output: TensorShape, top: Int, left: Int, channelsBefore: Int, zeroPoint: Int8,
        values: UnsafePointer<Int8>? = nil
    ) {
        self.values = values
        self.input = input
        self.output = output
        self.top = top
        self.left = left
        self.channelsBefore = channelsBefore
        self.zeroPoint = zeroPoint
    }
}

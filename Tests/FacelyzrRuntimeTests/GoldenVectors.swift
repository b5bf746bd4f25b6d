// Loading of the golden vectors written by tools/oracle/oracle.py (Golden/*.json).
import Foundation
@testable import FacelyzrRuntime

enum Golden {
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("Golden")

    static func load<T: Decodable>(_ type: T.Type, _ name: String) throws -> T {
        try JSONDecoder().decode(T.self, from: Data(contentsOf: directory.appendingPathComponent(name)))
    }

    struct Numerics: Decodable {
        var quantizeMultiplier: [[JSONScalar]]
        var saturatingRoundingDoublingHighMul: [[Int64]]
        var roundingDivideByPowerOfTwo: [[Int64]]
        var requantize: [[Int64]]
        var roundedAverage: [[Int64]]
        var sigmoid: [[UInt32]]
        var headDequantization: [[Int64]]
    }

    /// A number or a string (the multiplier cases hold a C99 hex float, then two integers).
    enum JSONScalar: Decodable {
        case text(String)
        case integer(Int64)

        init(from decoder: Decoder) throws {
            let container = try decoder.singleValueContainer()
            if let value = try? container.decode(Int64.self) { self = .integer(value) }
            else { self = .text(try container.decode(String.self)) }
        }

        var integer: Int64? { if case .integer(let v) = self { v } else { nil } }
        var text: String? { if case .text(let v) = self { v } else { nil } }
    }

    struct Kernels: Decodable {
        var conv2D: [Convolution]
        var depthwiseConv2D: [Convolution]
        var maxPool2x2: [Pool]
        var averagePool2x2: [Pool]
        var globalAveragePool: [Pool]
        var fullyConnected: [FullyConnected]
        var fullyConnectedAccumulators: [FullyConnected]
        var add: [Add]
        var pad: [Pad]
        /// Format version 3: convolution kernels 6-7, max pool k x k / stride s.
        var conv2DLarge: [Convolution]
        var maxPool: [MaxPool]
        /// Format version 3: pads with per-channel values.
        var padValues: [Pad]
        /// Format version 4: heads that are a 1x1 convolution at every place of a model's input.
        var perPlaceHeads: [PerPlaceHead]
    }

    /// A per-place head over a model input of `input` (height, width, channels 1 or 3, zero
    /// point 0): weights `[outputCount][channels]`, accumulators per place, row-major HWC.
    struct PerPlaceHead: Decodable {
        var input: [Int]
        var outputCount: Int
        var x: String
        var weights: String
        var bias: [Int32]
        var accumulators: [Int32]
    }

    struct MaxPool: Decodable {
        var input: [Int]
        var output: [Int]
        var kernel: [Int]
        var stride: [Int]
        var pad: [Int]
        var clamp: [Int8]
        var x: String
        var y: String

        var parameters: MaxPoolParameters {
            MaxPoolParameters(
                input: TensorShape(height: input[0], width: input[1], channels: input[2]),
                output: TensorShape(height: output[0], width: output[1], channels: output[2]),
                kernelHeight: kernel[0], kernelWidth: kernel[1], strideHeight: stride[0], strideWidth: stride[1],
                padTop: pad[0], padLeft: pad[1], outputMin: clamp[0], outputMax: clamp[1])
        }
    }

    struct Convolution: Decodable {
        var input: [Int]
        var output: [Int]
        var kernel: [Int]
        var stride: [Int]
        var padding: String
        var pad: [Int]
        var zeroPoints: [Int32]
        var clamp: [Int32]
        var rounding: UInt8
        var x: String
        var weights: String
        var bias: [Int32]
        var multipliers: [Int32]
        var shifts: [Int32]
        var y: String

        var parameters: ConvolutionParameters {
            ConvolutionParameters(
                input: TensorShape(height: input[0], width: input[1], channels: input[2]),
                output: TensorShape(height: output[0], width: output[1], channels: output[2]),
                kernelHeight: kernel[0], kernelWidth: kernel[1],
                strideHeight: stride[0], strideWidth: stride[1], padTop: pad[0], padLeft: pad[1],
                inputZeroPoint: zeroPoints[0], outputZeroPoint: zeroPoints[1],
                outputMin: clamp[0], outputMax: clamp[1], rounding: RoundingMode(rawValue: rounding)!)
        }

        var filter: ChannelwiseArrays {
            ChannelwiseArrays(weights: int8s(weights), bias: bias, multipliers: multipliers, shifts: shifts)
        }
    }

    struct Pool: Decodable {
        var input: [Int]
        var x: String
        var y: String

        var shape: TensorShape { TensorShape(height: input[0], width: input[1], channels: input[2]) }
        var pool: PoolParameters {
            PoolParameters(input: shape, output: TensorShape(height: input[0] / 2, width: input[1] / 2, channels: input[2]))
        }
    }

    struct FullyConnected: Decodable {
        var inputCount: Int
        var outputCount: Int
        var zeroPoints: [Int32]
        var clamp: [Int32]
        var rounding: UInt8
        var x: String
        var weights: String
        var bias: [Int32]
        var multipliers: [Int32]
        var shifts: [Int32]
        var y: String?
        var accumulators: [Int32]?

        var parameters: FullyConnectedParameters {
            FullyConnectedParameters(
                inputCount: inputCount, outputCount: outputCount,
                inputZeroPoint: zeroPoints[0], outputZeroPoint: zeroPoints[1],
                outputMin: clamp[0], outputMax: clamp[1], rounding: RoundingMode(rawValue: rounding)!)
        }

        var filter: ChannelwiseArrays {
            ChannelwiseArrays(weights: int8s(weights), bias: bias, multipliers: multipliers, shifts: shifts)
        }
    }
}

extension Golden {
    struct Pad: Decodable {
        var input: [Int]
        var before: [Int]
        var after: [Int]
        var zeroPoint: Int8
        /// One per output channel (`padValues`), or none (the zero point).
        var values: [Int8]?
        var x: String
        var y: String

        var parameters: PadParameters {
            let inShape = TensorShape(height: input[0], width: input[1], channels: input[2])
            return PadParameters(
                input: inShape,
                output: TensorShape(height: before[0] + input[0] + after[0], width: before[1] + input[1] + after[1],
                                    channels: before[2] + input[2] + after[2]),
                top: before[0], left: before[1], channelsBefore: before[2], zeroPoint: zeroPoint)
        }
    }

    struct Add: Decodable {
        var shape: [Int]
        var zeroPoints: [Int32]
        var clamp: [Int32]
        var multipliers: [Int32]
        var shifts: [Int32]
        var x1: String
        var x2: String
        var y: String

        var parameters: AddParameters {
            AddParameters(
                count: shape[0] * shape[1] * shape[2], input1ZeroPoint: zeroPoints[0], input2ZeroPoint: zeroPoints[1],
                input1Multiplier: multipliers[0], input1Shift: shifts[0], input2Multiplier: multipliers[1], input2Shift: shifts[1],
                outputMultiplier: multipliers[2], outputShift: shifts[2], outputZeroPoint: zeroPoints[2],
                outputMin: clamp[0], outputMax: clamp[1])
        }
    }
}

/// Int8 values from the oracle's hex byte strings.
func int8s(_ hex: String) -> [Int8] {
    let digits = Array(hex.utf8)
    return stride(from: 0, to: digits.count, by: 2).map { i in
        Int8(bitPattern: UInt8(String(decoding: digits[i..<i + 2], as: UTF8.self), radix: 16)!)
    }
}

extension Golden {
    /// `heads.json`: softmax / expected-value heads, float32 bit patterns.
    struct Heads: Decodable {
        struct Case: Decodable {
            var accumulators: [Int32]
            var scales: [UInt32]
            var values: [UInt32]
            var argmax: Int
            var probabilities: [UInt32]
            var expectedValue: UInt32
        }
        var heads: [Case]
    }
}

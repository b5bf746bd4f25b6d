import FacelyzrData
import FacelyzrFiles
import FacelyzrHost
import FacelyzrRuntime
import FacelyzrTrainer

/// Why a network cannot be quantized or evaluated. Every case names the file, layer or source.
public enum QuantizerError: Error, Equatable, CustomStringConvertible {
    /// The checkpoint could not be read, or its tensors do not fit its architecture.
    case checkpoint(CheckpointError)
    /// A weight or bias is NaN or infinite (`parameter` as the checkpoint names it, flat index).
    case nonFiniteParameter(parameter: String, index: Int, value: Float)
    /// The calibration source holds no face of the calibration split.
    case emptyCalibrationSet(source: String)
    /// Faces of `source` are not the size the network takes.
    case inputShapeMismatch(source: String, expected: [Int], found: [Int])
    /// The network's input normalisation is not the contract's `(pixel - 128) / scale`.
    case unsupportedInputNormalization(offset: Float, scale: Float)
    /// A layer the int8 runtime cannot express.
    case unsupportedLayer(layer: String, reason: String)
    /// An output channel's requantisation factor `s_in * s_w / s_out` needs a shift above 30.
    case effectiveScaleTooLarge(layer: String, channel: Int, scale: Double)
    /// The blob the quantizer built does not open in the runtime (a quantizer bug, reported, never written).
    case invalidBlob(BlobError)
    /// A face source could not be read.
    case data(DatasetError)
    /// A file could not be read or written.
    case file(FileError)
    /// A model blob file could not be opened.
    case model(ModelFileError)
    /// Two models to compare do not have the same heads and outputs.
    case incompatibleModels(reason: String)

    public var description: String {
        switch self {
        case .checkpoint(let e): "\(e)"
        case .nonFiniteParameter(let parameter, let index, let value):
            "checkpoint parameter \(parameter)[\(index)] is \(value): cannot quantize non-finite weights"
        case .emptyCalibrationSet(let source): "\(source): the calibration split holds no face"
        case .inputShapeMismatch(let source, let expected, let found):
            "\(source): faces are \(found) (height, width, channels), the network takes \(expected)"
        case .unsupportedInputNormalization(let offset, let scale):
            "input normalisation (pixel - \(offset)) / \(scale): the int8 contract needs offset 128"
        case .unsupportedLayer(let layer, let reason): "\(layer): \(reason)"
        case .effectiveScaleTooLarge(let layer, let channel, let scale):
            "\(layer) channel \(channel): requantisation factor \(scale) is >= 2^30 (shift above 30)"
        case .invalidBlob(let e): "the quantized blob does not validate: \(e)"
        case .data(let e): "\(e)"
        case .file(let e): "\(e)"
        case .model(let e): "\(e)"
        case .incompatibleModels(let reason): "models cannot be compared: \(reason)"
        }
    }
}

extension LoadedModel {
    /// Opens a blob the quantizer built: one the runtime refuses is a quantizer bug, reported
    /// as `QuantizerError.invalidBlob`.
    convenience init(quantized bytes: [UInt8]) throws(QuantizerError) {
        do { try self.init(bytes: bytes) } catch { throw .invalidBlob(error) }
    }
}

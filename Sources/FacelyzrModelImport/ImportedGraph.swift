import FacelyzrTrainer

/// A float model read from a file, after import-time folding: one node per op that remains, in
/// topological order, with static NHWC shapes and weights in the trainer's layouts (convolutions
/// OHWI, dense `[out, in]` over the input flattened in HWC order). docs/model-import.md.
public struct ImportedGraph: Sendable {
    /// The ops an imported graph can hold.
    public enum Op: Sendable, Equatable {
        /// 2-D convolution; `weight` is OHWI (`[out, kh, kw, in / group]`), `bias` `[out]`.
        case conv(Convolution)
        /// Fully connected over the input flattened in HWC order; `weight` `[out, in]`, `bias` `[out]`.
        case dense
        case maxPool(Pooling)
        /// `countIncludePad`: whether padded cells count in the divisor (ONNX `count_include_pad`).
        case averagePool(Pooling, countIncludePad: Bool)
        case globalAveragePool
        /// Element-wise sum of two activations of the same shape (a residual connection).
        case add
        /// Per-channel `x * weight + bias` that could not be folded into a neighbouring layer.
        case affine
        /// Constant padding, `[top, left, channelsBefore, bottom, right, channelsAfter]`.
        case pad(pads: [Int], value: Float)
        /// `x < 0 ? slope[c] * x : x`; `weight` holds one slope per channel.
        case prelu
        case leakyRelu(alpha: Float)
        /// A standalone ReLU (one that follows a node it could not be fused into).
        case relu
        /// Softmax over the channels of a `[1, 1, n]` tensor.
        case softmax
        case sigmoid
    }

    /// A convolution's geometry (dilation is always 1).
    public struct Convolution: Sendable, Equatable {
        public var kernelHeight: Int
        public var kernelWidth: Int
        public var strideHeight: Int
        public var strideWidth: Int
        /// `[top, left, bottom, right]`.
        public var pads: [Int]
        public var group: Int
    }

    /// A max or average pool's geometry.
    public struct Pooling: Sendable, Equatable {
        public var kernelHeight: Int
        public var kernelWidth: Int
        public var strideHeight: Int
        public var strideWidth: Int
        /// `[top, left, bottom, right]`.
        public var pads: [Int]
        /// Output length rounded up (ONNX `ceil_mode`; a window that would start in the end
        /// padding is dropped).
        public var ceilMode: Bool
    }

    /// One op of the graph with its parameters (layouts as the type's comment says; `affine`
    /// keeps its per-channel scale in `weight` and offset in `bias`, `prelu` its slopes in `weight`).
    public struct Node: Sendable {
        /// The ONNX node's name (or `#index OpType`).
        public var name: String
        public var op: Op
        /// The nodes read, in order; nil is the graph input.
        public var inputs: [Int?]
        /// `[H, W, C]` per image (dense and softmax outputs `[1, 1, n]`).
        public var outputShape: [Int]
        public var weight: Tensor?
        public var bias: Tensor?
        /// Fused activation of a conv, dense or add.
        public var activation: Activation
        /// ONNX nodes folded into this one (BatchNormalization, constant Mul/Add, Relu, ...).
        public var folded: [String]
    }

    /// The graph's image input.
    public struct Input: Sendable, Equatable {
        public var name: String
        /// `[H, W, C]` (the file's NCHW input, transposed).
        public var shape: [Int]
    }

    /// The file the graph came from (for messages).
    public var file: String
    /// The file's format and the version of it the file declares.
    public var format: SourceFormat
    public var producer: String
    public var input: Input
    public var nodes: [Node]
    /// The nodes whose outputs are the graph's outputs, with their ONNX names.
    public var outputs: [(node: Int, name: String)]

    /// Parameters (weights and biases) in the graph.
    public var parameterCount: Int {
        nodes.reduce(0) { $0 + ($1.weight?.count ?? 0) + ($1.bias?.count ?? 0) }
    }
}

/// The format a graph was read from, with the version the importer checked.
public enum SourceFormat: Sendable, Equatable {
    /// An ONNX model importing this default-domain opset.
    case onnx(opset: Int64)
    /// A TFLite flatbuffer of this schema version.
    case tflite(schemaVersion: Int64)

    /// `ONNX opset 18`, `TFLite schema 3`.
    public var summary: String {
        switch self {
        case .onnx(let opset): "ONNX opset \(opset)"
        case .tflite(let version): "TFLite schema \(version)"
        }
    }
}

extension ImportedGraph.Op {
    /// The op's name in reports: `conv 3x3/2`, `maxPool 3x3/2`, `add`, ...
    public var summary: String {
        func window(_ kh: Int, _ kw: Int, _ sh: Int, _ sw: Int, _ pads: [Int]) -> String {
            let stride = sh == sw ? "\(sh)" : "\(sh)x\(sw)"
            return "\(kh)x\(kw)/\(stride)" + (pads.allSatisfy { $0 == 0 } ? "" : " pads \(pads)")
        }
        switch self {
        case .conv(let c):
            return "conv \(window(c.kernelHeight, c.kernelWidth, c.strideHeight, c.strideWidth, c.pads))"
                + (c.group == 1 ? "" : " group \(c.group)")
        case .dense: return "dense"
        case .maxPool(let p): return "maxPool \(window(p.kernelHeight, p.kernelWidth, p.strideHeight, p.strideWidth, p.pads))" + (p.ceilMode ? " ceil" : "")
        case .averagePool(let p, let countIncludePad):
            return "averagePool \(window(p.kernelHeight, p.kernelWidth, p.strideHeight, p.strideWidth, p.pads))" + (p.ceilMode ? " ceil" : "")
                + (countIncludePad ? " count_include_pad" : "")
        case .globalAveragePool: return "globalAveragePool"
        case .add: return "add"
        case .affine: return "affine"
        case .pad(let pads, let value): return "pad \(pads)" + (value == 0 ? "" : " value \(value)")
        case .prelu: return "prelu"
        case .leakyRelu(let alpha): return "leakyRelu \(alpha)"
        case .relu: return "relu"
        case .softmax: return "softmax"
        case .sigmoid: return "sigmoid"
        }
    }
}

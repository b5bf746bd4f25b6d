import FacelyzrFiles

/// Why a model file could not be imported. Every error names the file and, where one is at
/// fault, the node (its ONNX name, or `#index OpType` when the file leaves it unnamed); nothing
/// is returned or written when import fails (docs/model-import.md "Errors").
public struct ModelImportError: Error, Equatable, CustomStringConvertible {
    /// What went wrong.
    public enum Reason: Equatable, Sendable {
        /// The file could not be read.
        case unreadable(String)
        /// The bytes are not a valid ONNX protobuf, or the graph breaks ONNX's rules (a tensor
        /// produced twice, an attribute of the wrong type, a weight of the wrong size).
        case malformed(String)
        /// The default-domain opset the model imports is outside `supported`.
        case opsetOutOfRange(found: Int64, supported: ClosedRange<Int64>)
        /// The TFLite schema version the file declares is outside `supported`.
        case schemaVersionOutOfRange(found: Int64, supported: ClosedRange<Int64>)
        /// An op the importer does not know, or a known op with attributes it cannot take.
        case unsupportedOp(op: String, reason: String)
        /// A tensor dimension that is symbolic or unknown (only the input's batch dimension may be).
        case dynamicShape(tensor: String, dimension: Int)
        /// The nodes that depend on each other in a cycle (file order).
        case cycle(nodes: [String])
        /// A node input that no node, graph input or initializer provides.
        case missingInitializer(tensor: String)
        /// A weight or constant that is not float32 (or int64 where ONNX wants it), or is stored
        /// as external data.
        case unsupportedTensor(tensor: String, reason: String)
    }

    /// The model file (as given).
    public var file: String
    /// The node at fault; nil when the model as a whole is (bytes, opset or schema version, graph input).
    public var node: String?
    public var reason: Reason

    public init(file: String, node: String? = nil, reason: Reason) {
        self.file = file
        self.node = node
        self.reason = reason
    }

    public var description: String {
        let location = node.map { "\(file): node \($0)" } ?? file
        switch reason {
        case .unreadable(let why): return "\(location): cannot read: \(why)"
        case .malformed(let why): return "\(location): malformed \(file.hasSuffix(".tflite") ? "TFLite" : "ONNX") model: \(why)"
        case .opsetOutOfRange(let found, let supported):
            return "\(location): opset \(found) is outside the supported range \(supported.lowerBound)...\(supported.upperBound)"
        case .schemaVersionOutOfRange(let found, let supported):
            return "\(location): TFLite schema version \(found) is outside the supported range \(supported.lowerBound)...\(supported.upperBound)"
        case .unsupportedOp(let op, let why): return "\(location): unsupported \(op): \(why)"
        case .dynamicShape(let tensor, let dimension):
            return "\(location): tensor \(tensor) has a dynamic dimension \(dimension); only static shapes are supported (the batch dimension of the input may be symbolic)"
        case .cycle(let nodes): return "\(location): the graph has a cycle through \(nodes.joined(separator: ", "))"
        case .missingInitializer(let tensor):
            return "\(location): input \(tensor) is neither a graph input, an initializer nor the output of a node"
        case .unsupportedTensor(let tensor, let why): return "\(location): tensor \(tensor): \(why)"
        }
    }
}

/// The bytes of the model file in `path` (ONNX or TFLite); an unreadable file is a
/// `ModelImportError` naming it.
func modelFileBytes(path: String) throws(ModelImportError) -> [UInt8] {
    do { return try ReadOnlyFile.readAll(path: path) } catch {
        throw ModelImportError(file: path, reason: .unreadable(error.reason))
    }
}

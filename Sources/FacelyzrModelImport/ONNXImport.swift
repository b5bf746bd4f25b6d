import FacelyzrTrainer
import Foundation
import SwiftProtobuf

/// Reads ONNX files into `ImportedGraph`s (docs/model-import.md): checks the opset, orders the
/// nodes topologically, requires static shapes, converts each supported op, folds what folds,
/// and transposes to NHWC. The file is untrusted: every problem is a `ModelImportError`.
public enum ONNXImport {
    /// Default-domain opsets whose semantics of the supported ops the importer implements.
    public static let supportedOpsets: ClosedRange<Int64> = 11...25

    /// The largest dimension the importer accepts (inputs, kernels, strides, pads), which keeps
    /// every shape computation far from overflow.
    static let maximumDimension = 1 << 16

    /// Imports the ONNX model in `path`.
    public static func read(path: String) throws(ModelImportError) -> ImportedGraph {
        try read(bytes: modelFileBytes(path: path), file: path)
    }

    /// Imports an ONNX model from its bytes; `file` names it in errors.
    public static func read(bytes: [UInt8], file: String) throws(ModelImportError) -> ImportedGraph {
        let model: Onnx_ModelProto
        do { model = try Onnx_ModelProto(serializedBytes: bytes) } catch {
            throw ModelImportError(file: file, reason: .malformed("not an ONNX protobuf (\(error))"))
        }
        var reader = GraphReader(file: file)
        return try reader.read(model)
    }
}

/// A tensor's place in the graph while reading: the node that computes it (nil: the graph input)
/// and its ONNX shape per image, `(c, h, w)` with `rank` 4, or `(n, 1, 1)` with `rank` 2. A
/// flattened image keeps the image's `(c, h, w)` with `rank` 2 (its consumers need the layout).
struct Value {
    var node: Int?
    var c: Int, h: Int, w: Int
    var rank: Int
    var isFlattenedImage: Bool { rank == 2 && h * w > 1 }
}

/// An initializer or `Constant` output: its dims and float32 or int64 values.
struct Constant {
    var dims: [Int]
    var floats: [Float]?
    var ints: [Int64]?
}

/// A node of the working graph (ONNX layouts: conv OIHW, dense `[out, in]` over CHW order).
struct WorkingNode {
    var name: String
    var op: ImportedGraph.Op
    var inputs: [Int?]
    var c: Int, h: Int, w: Int
    var weight: Tensor?
    var bias: Tensor?
    var activation: Activation = .none
    var folded: [String] = []
    var removed = false
}

struct GraphReader {
    let file: String
    var format = SourceFormat.onnx(opset: 0)
    var nodes: [WorkingNode] = []
    var values: [String: Value] = [:]
    var constants: [String: Constant] = [:]
    /// The ONNX node being converted and its op (for errors).
    var current = ""
    var currentOp = ""

    init(file: String) { self.file = file }

    func fail(_ reason: ModelImportError.Reason, node: String? = nil) -> ModelImportError {
        ModelImportError(file: file, node: node ?? (current.isEmpty ? nil : current), reason: reason)
    }

    mutating func read(_ model: Onnx_ModelProto) throws(ModelImportError) -> ImportedGraph {
        guard model.hasGraph else { throw fail(.malformed("the model has no graph")) }
        let defaultOpsets = model.opsetImport.filter { $0.domain.isEmpty || $0.domain == "ai.onnx" }
        guard let opsetEntry = defaultOpsets.first else { throw fail(.malformed("the model imports no default-domain opset")) }
        let opset = opsetEntry.version
        format = .onnx(opset: opset)
        guard ONNXImport.supportedOpsets.contains(opset) else {
            throw fail(.opsetOutOfRange(found: opset, supported: ONNXImport.supportedOpsets))
        }
        let graph = model.graph
        let order = try topologicalOrder(graph)

        for initializer in graph.initializer {
            constants[initializer.name] = try decode(initializer, name: initializer.name)
        }
        let input = try graphInput(graph)

        for index in order {
            let node = graph.node[index]
            current = Self.displayName(node, index)
            currentOp = node.opType
            try convert(node)
        }
        current = ""
        var outputs: [(node: Int, name: String)] = []
        for output in graph.output {
            guard let value = values[output.name] else {
                throw fail(.unsupportedOp(op: "graph output", reason: "output \(output.name) is a constant or is not computed by any node"))
            }
            guard let node = value.node else {
                throw fail(.unsupportedOp(op: "graph output", reason: "output \(output.name) is the graph input itself"))
            }
            outputs.append((node, output.name))
        }
        guard !outputs.isEmpty else { throw fail(.malformed("the graph has no outputs")) }
        fold(outputs: &outputs)
        return finish(input: input, outputs: outputs, producer: model.producerName + (model.producerVersion.isEmpty ? "" : " " + model.producerVersion))
    }

    static func displayName(_ node: Onnx_NodeProto, _ index: Int) -> String {
        node.name.isEmpty ? "#\(index) \(node.opType)" : node.name
    }

    // MARK: Graph structure

    /// The nodes' indices in an order where every node follows the nodes it reads. Checks that
    /// no tensor is produced twice and every input exists.
    func topologicalOrder(_ graph: Onnx_GraphProto) throws(ModelImportError) -> [Int] {
        var producer: [String: Int] = [:]
        var external = Set(graph.initializer.map(\.name))
        external.formUnion(graph.input.map(\.name))
        for (i, node) in graph.node.enumerated() {
            for output in node.output where !output.isEmpty {
                guard producer[output] == nil, !external.contains(output) else {
                    throw fail(.malformed("tensor \(output) is produced more than once"), node: Self.displayName(node, i))
                }
                producer[output] = i
            }
        }
        var dependencies: [[Int]] = []
        var dependents = [[Int]](repeating: [], count: graph.node.count)
        for (i, node) in graph.node.enumerated() {
            var deps: [Int] = []
            for input in node.input where !input.isEmpty {
                if let p = producer[input] {
                    deps.append(p)
                    dependents[p].append(i)
                } else if !external.contains(input) {
                    throw fail(.missingInitializer(tensor: input), node: Self.displayName(node, i))
                }
            }
            dependencies.append(deps)
        }
        var pending = dependencies.map(\.count)
        var ready = pending.indices.filter { pending[$0] == 0 }.reversed() as [Int]
        var order: [Int] = []
        while let i = ready.popLast() {
            order.append(i)
            for d in dependents[i] {
                pending[d] -= 1
                if pending[d] == 0 { ready.append(d) }
            }
        }
        if order.count < graph.node.count {
            // Every node left waits on another one left: follow those until one repeats.
            let left = Set(pending.indices.filter { pending[$0] > 0 })
            var path: [Int] = []
            var at = left.min()!
            while !path.contains(at) {
                path.append(at)
                at = dependencies[at].first { left.contains($0) }!
            }
            let cycle = path[path.firstIndex(of: at)!...].sorted()
            throw fail(.cycle(nodes: cycle.map { Self.displayName(graph.node[$0], $0) }), node: Self.displayName(graph.node[cycle[0]], cycle[0]))
        }
        return order
    }

    /// The one graph input that is not an initializer: float32 NCHW with static C, H, W.
    mutating func graphInput(_ graph: Onnx_GraphProto) throws(ModelImportError) -> ImportedGraph.Input {
        let inputs = graph.input.filter { constants[$0.name] == nil }
        guard let input = inputs.first else { throw fail(.malformed("the graph has no input besides its initializers")) }
        guard inputs.count == 1 else {
            throw fail(.unsupportedOp(op: "graph input", reason: "\(inputs.count) inputs (\(inputs.map(\.name).joined(separator: ", "))); one image input is supported"))
        }
        guard case .tensorType(let type)? = input.type.value else {
            throw fail(.unsupportedTensor(tensor: input.name, reason: "the graph input is not a tensor"))
        }
        guard type.elemType == Int32(Onnx_TensorProto.DataType.float.rawValue) else {
            throw fail(.unsupportedTensor(tensor: input.name, reason: "the graph input has element type \(type.elemType), not float32"))
        }
        guard type.hasShape else { throw fail(.dynamicShape(tensor: input.name, dimension: 0)) }
        let dims = type.shape.dim
        guard dims.count == 4 else {
            throw fail(.unsupportedTensor(tensor: input.name, reason: "the graph input has rank \(dims.count); an NCHW image (rank 4) is supported"))
        }
        if case .dimValue(let batch)? = dims[0].value, batch != 1 {
            throw fail(.unsupportedTensor(tensor: input.name, reason: "batch dimension \(batch); 1 or symbolic is supported"))
        }
        var chw: [Int] = []
        for k in 1..<4 {
            guard case .dimValue(let v)? = dims[k].value, v > 0 else { throw fail(.dynamicShape(tensor: input.name, dimension: k)) }
            chw.append(try dimension(v, "dimension \(k) of input \(input.name)"))
        }
        guard chw[0] * chw[1] * chw[2] <= 1 << 26 else {
            throw fail(.unsupportedTensor(tensor: input.name, reason: "the input of \(chw) is too large"))
        }
        values[input.name] = Value(node: nil, c: chw[0], h: chw[1], w: chw[2], rank: 4)
        return ImportedGraph.Input(name: input.name, shape: [chw[1], chw[2], chw[0]])
    }

    /// `v` as an Int in 1...maximumDimension (0 too when `allowZero`).
    func dimension(_ v: Int64, _ what: String, allowZero: Bool = false) throws(ModelImportError) -> Int {
        guard v >= (allowZero ? 0 : 1), v <= Int64(ONNXImport.maximumDimension) else {
            throw fail(.unsupportedOp(op: currentOp.isEmpty ? "graph input" : currentOp, reason: "\(what) is \(v); \(allowZero ? 0 : 1)...\(ONNXImport.maximumDimension) is supported"))
        }
        return Int(v)
    }

    // MARK: Tensors

    /// An initializer's or constant's values: float32 or int64, stored in the file.
    func decode(_ t: Onnx_TensorProto, name: String) throws(ModelImportError) -> Constant {
        if t.dataLocation == .external { throw fail(.unsupportedTensor(tensor: name, reason: "stored as external data")) }
        if t.hasSegment { throw fail(.unsupportedTensor(tensor: name, reason: "stored in segments")) }
        var count = 1
        var dims: [Int] = []
        for d in t.dims {
            guard d >= 0, d <= Int64(1 << 30) else { throw fail(.malformed("tensor \(name) has dimension \(d)")) }
            let (product, overflow) = count.multipliedReportingOverflow(by: Int(d))
            guard !overflow, product <= 1 << 30 else { throw fail(.malformed("tensor \(name) has too many elements")) }
            count = product
            dims.append(Int(d))
        }
        switch Onnx_TensorProto.DataType(rawValue: Int(t.dataType)) {
        case .float?:
            if !t.rawData.isEmpty {
                guard t.rawData.count == count * 4 else {
                    throw fail(.malformed("tensor \(name) has \(t.rawData.count) bytes of raw data for \(count) float32 values"))
                }
                let floats = t.rawData.withUnsafeBytes { raw in
                    (0..<count).map { Float(bitPattern: UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: 4 * $0, as: UInt32.self))) }
                }
                return Constant(dims: dims, floats: floats)
            }
            guard t.floatData.count == count else {
                throw fail(.malformed("tensor \(name) has \(t.floatData.count) float values for \(count) elements"))
            }
            return Constant(dims: dims, floats: t.floatData)
        case .int64?:
            if !t.rawData.isEmpty {
                guard t.rawData.count == count * 8 else {
                    throw fail(.malformed("tensor \(name) has \(t.rawData.count) bytes of raw data for \(count) int64 values"))
                }
                let ints = t.rawData.withUnsafeBytes { raw in
                    (0..<count).map { Int64(littleEndian: raw.loadUnaligned(fromByteOffset: 8 * $0, as: Int64.self)) }
                }
                return Constant(dims: dims, ints: ints)
            }
            guard t.int64Data.count == count else {
                throw fail(.malformed("tensor \(name) has \(t.int64Data.count) int64 values for \(count) elements"))
            }
            return Constant(dims: dims, ints: t.int64Data)
        default:
            throw fail(.unsupportedTensor(tensor: name, reason: "element type \(t.dataType); float32 weights (and int64 shapes) are supported"))
        }
    }

    /// The activation named `name` (not a constant).
    func value(_ name: String) throws(ModelImportError) -> Value {
        if let v = values[name] { return v }
        if constants[name] != nil {
            throw fail(.unsupportedOp(op: currentOp, reason: "input \(name) is a constant where an activation is expected (fold constants first)"))
        }
        throw fail(.missingInitializer(tensor: name))
    }

    /// The float32 constant named `name`.
    func floats(_ name: String) throws(ModelImportError) -> Constant {
        guard let c = constants[name] else {
            if values[name] != nil {
                throw fail(.unsupportedOp(op: currentOp, reason: "input \(name) is computed; it must be an initializer or a Constant"))
            }
            throw fail(.missingInitializer(tensor: name))
        }
        guard c.floats != nil else { throw fail(.unsupportedTensor(tensor: name, reason: "int64 where float32 is expected")) }
        return c
    }

    /// The int64 constant named `name`.
    func ints(_ name: String) throws(ModelImportError) -> [Int64] {
        guard let c = constants[name] else {
            if values[name] != nil {
                throw fail(.unsupportedOp(op: currentOp, reason: "input \(name) is computed; it must be an initializer or a Constant"))
            }
            throw fail(.missingInitializer(tensor: name))
        }
        guard let ints = c.ints else { throw fail(.unsupportedTensor(tensor: name, reason: "float32 where int64 is expected")) }
        return ints
    }

    /// A constant that broadcasts over `v` per channel: one value per channel of `v` (a scalar
    /// repeated). ONNX broadcasting aligns dims on the right; every dim but the channel's must be 1.
    func perChannel(_ name: String, over v: Value) throws(ModelImportError) -> [Float] {
        let constant = try floats(name)
        guard constant.dims.count <= v.rank else {
            throw fail(.unsupportedOp(op: currentOp, reason: "constant \(name) of shape \(constant.dims) has a higher rank than its operand"))
        }
        var channelDim = 1
        for (k, d) in constant.dims.enumerated() {
            let axis = k + v.rank - constant.dims.count
            if axis == 1 { channelDim = d } else if d != 1 {
                throw fail(.unsupportedOp(op: currentOp, reason: "constant \(name) of shape \(constant.dims) is not per-channel"))
            }
        }
        let values = constant.floats!
        if values.count == 1 { return [Float](repeating: values[0], count: v.c) }
        guard !v.isFlattenedImage else {
            throw fail(.unsupportedOp(op: currentOp, reason: "an element-wise constant on a flattened image (apply it before the flatten)"))
        }
        guard channelDim == v.c, values.count == v.c else {
            throw fail(.unsupportedOp(op: currentOp, reason: "constant \(name) of shape \(constant.dims) does not match \(v.c) channels"))
        }
        return values
    }

    // MARK: Attributes

    func attributes(_ node: Onnx_NodeProto, allowed: Set<String>) throws(ModelImportError) -> [String: Onnx_AttributeProto] {
        var result: [String: Onnx_AttributeProto] = [:]
        for a in node.attribute {
            guard allowed.contains(a.name) else {
                throw fail(.unsupportedOp(op: node.opType, reason: "attribute \(a.name) is not supported"))
            }
            result[a.name] = a
        }
        return result
    }

    func int(_ a: [String: Onnx_AttributeProto], _ name: String, _ fallback: Int64) throws(ModelImportError) -> Int64 {
        guard let attribute = a[name] else { return fallback }
        guard attribute.type == .int || (attribute.type == .undefined && attribute.hasI) else {
            throw fail(.malformed("attribute \(name) is not an int"))
        }
        return attribute.i
    }

    func float(_ a: [String: Onnx_AttributeProto], _ name: String, _ fallback: Float) throws(ModelImportError) -> Float {
        guard let attribute = a[name] else { return fallback }
        guard attribute.type == .float || (attribute.type == .undefined && attribute.hasF) else {
            throw fail(.malformed("attribute \(name) is not a float"))
        }
        return attribute.f
    }

    func intList(_ a: [String: Onnx_AttributeProto], _ name: String) throws(ModelImportError) -> [Int64]? {
        guard let attribute = a[name] else { return nil }
        guard attribute.type == .ints || attribute.type == .undefined else { throw fail(.malformed("attribute \(name) is not a list of ints")) }
        return attribute.ints
    }

    func string(_ a: [String: Onnx_AttributeProto], _ name: String, _ fallback: String) throws(ModelImportError) -> String {
        guard let attribute = a[name] else { return fallback }
        guard attribute.type == .string || attribute.type == .undefined else { throw fail(.malformed("attribute \(name) is not a string")) }
        return String(decoding: attribute.s, as: UTF8.self)
    }

    // MARK: Ops

    /// Appends a working node and names its output.
    mutating func append(_ node: WorkingNode, output: String, rank: Int) {
        nodes.append(node)
        values[output] = Value(node: nodes.count - 1, c: node.c, h: node.h, w: node.w, rank: rank)
    }

    /// Requires `range` inputs (absent optional ones are empty names) and a first one.
    func requireInputs(_ node: Onnx_NodeProto, _ range: ClosedRange<Int>) throws(ModelImportError) {
        guard range.contains(node.input.count), !node.input[0].isEmpty else {
            throw fail(.malformed("\(node.opType) has \(node.input.count) inputs, expected \(range.lowerBound)...\(range.upperBound)"))
        }
    }

    /// Only the first output may be used (optional outputs such as BatchNormalization's running
    /// statistics, MaxPool's indices or Dropout's mask must be absent).
    func singleOutput(_ node: Onnx_NodeProto) throws(ModelImportError) -> String {
        guard let first = node.output.first, !first.isEmpty else { throw fail(.malformed("\(node.opType) has no output")) }
        if node.output.dropFirst().contains(where: { !$0.isEmpty }) {
            throw fail(.unsupportedOp(op: node.opType, reason: "only its first output is supported"))
        }
        return first
    }

    func requireImage(_ v: Value, _ op: String) throws(ModelImportError) {
        guard v.rank == 4 else { throw fail(.unsupportedOp(op: op, reason: "its input must be an NCHW image, not a rank-2 tensor")) }
    }

    mutating func convert(_ node: Onnx_NodeProto) throws(ModelImportError) {
        guard node.domain.isEmpty || node.domain == "ai.onnx" else {
            throw fail(.unsupportedOp(op: "\(node.domain).\(node.opType)", reason: "only the default ONNX domain is supported"))
        }
        let op = node.opType
        switch op {
        case "Constant":
            let a = try attributes(node, allowed: ["value", "value_float", "value_floats", "value_int", "value_ints"])
            let out = try singleOutput(node)
            if let t = a["value"] {
                constants[out] = try decode(t.t, name: out)
            } else if let f = a["value_float"] {
                constants[out] = Constant(dims: [], floats: [f.f])
            } else if let f = a["value_floats"] {
                constants[out] = Constant(dims: [f.floats.count], floats: f.floats)
            } else if let i = a["value_int"] {
                constants[out] = Constant(dims: [], ints: [i.i])
            } else if let i = a["value_ints"] {
                constants[out] = Constant(dims: [i.ints.count], ints: i.ints)
            } else {
                throw fail(.malformed("Constant has no value"))
            }

        case "Identity", "Dropout":
            try requireInputs(node, 1...3)
            _ = try attributes(node, allowed: ["seed", "ratio"])
            let out = try singleOutput(node)
            if op == "Dropout", node.input.count == 3, !node.input[2].isEmpty {
                throw fail(.unsupportedOp(op: op, reason: "training_mode input is not supported"))
            }
            if let c = constants[node.input[0]] { constants[out] = c } else { values[out] = try value(node.input[0]) }

        case "Flatten", "Reshape":
            try requireInputs(node, op == "Flatten" ? 1...1 : 2...2)
            let a = try attributes(node, allowed: ["axis", "allowzero"])
            let out = try singleOutput(node)
            var v = try value(node.input[0])
            if op == "Flatten" {
                let axis = try int(a, "axis", 1)
                guard axis == 1 else { throw fail(.unsupportedOp(op: op, reason: "axis \(axis); axis 1 (keep the batch) is supported")) }
            } else {
                let shape = try ints(node.input[1])
                let n = Int64(v.c * v.h * v.w)
                guard shape.count == 2, [0, 1, -1].contains(shape[0]), shape[1] == -1 || shape[1] == n, shape[0] != -1 || shape[1] != -1 else {
                    throw fail(.unsupportedOp(op: op, reason: "shape \(shape); only flattening to [N, \(n)] is supported"))
                }
            }
            v.rank = 2
            values[out] = v

        case "Conv":
            try requireInputs(node, 2...3)
            let a = try attributes(node, allowed: ["auto_pad", "dilations", "group", "kernel_shape", "pads", "strides"])
            let out = try singleOutput(node)
            let x = try value(node.input[0])
            try requireImage(x, op)
            let w = try floats(node.input[1])
            guard w.dims.count == 4 else { throw fail(.unsupportedOp(op: op, reason: "weight of shape \(w.dims); 2-D convolution is supported")) }
            let group = try dimension(try int(a, "group", 1), "group")
            let outChannels = try dimension(Int64(w.dims[0]), "output channels")
            guard x.c % group == 0, outChannels % group == 0, w.dims[1] == x.c / group else {
                throw fail(.malformed("weight of shape \(w.dims) does not fit \(x.c) input channels in \(group) groups"))
            }
            let kernel = [try dimension(Int64(w.dims[2]), "kernel height"), try dimension(Int64(w.dims[3]), "kernel width")]
            if let k = try intList(a, "kernel_shape"), k.map(Int.init) != kernel {
                throw fail(.malformed("kernel_shape \(k) does not match the weight's \(kernel)"))
            }
            let (geometry, outH, outW) = try window(a, op: op, kernel: kernel, input: x)
            var bias = [Float](repeating: 0, count: outChannels)
            if node.input.count == 3, !node.input[2].isEmpty {
                let b = try floats(node.input[2])
                guard b.floats!.count == outChannels else { throw fail(.malformed("bias has \(b.floats!.count) values for \(outChannels) channels")) }
                bias = b.floats!
            }
            let conv = ImportedGraph.Convolution(kernelHeight: kernel[0], kernelWidth: kernel[1], strideHeight: geometry.strides[0],
                                                 strideWidth: geometry.strides[1], pads: geometry.pads, group: group)
            append(WorkingNode(name: current, op: .conv(conv), inputs: [x.node], c: outChannels, h: outH, w: outW,
                               weight: Tensor(shape: w.dims, values: w.floats!), bias: Tensor(shape: [outChannels], values: bias)),
                   output: out, rank: 4)

        case "MaxPool", "AveragePool":
            try requireInputs(node, 1...1)
            let a = try attributes(node, allowed: ["auto_pad", "ceil_mode", "count_include_pad", "dilations", "kernel_shape", "pads", "storage_order", "strides"])
            let out = try singleOutput(node)
            let x = try value(node.input[0])
            try requireImage(x, op)
            guard let k = try intList(a, "kernel_shape"), k.count == 2 else { throw fail(.malformed("\(op) needs a 2-D kernel_shape")) }
            let kernel = [try dimension(k[0], "kernel height"), try dimension(k[1], "kernel width")]
            let ceil = try int(a, "ceil_mode", 0) != 0
            let (geometry, outH, outW) = try window(a, op: op, kernel: kernel, input: x, ceilMode: ceil)
            let pooling = ImportedGraph.Pooling(kernelHeight: kernel[0], kernelWidth: kernel[1], strideHeight: geometry.strides[0],
                                                strideWidth: geometry.strides[1], pads: geometry.pads, ceilMode: ceil)
            let kind: ImportedGraph.Op = op == "MaxPool" ? .maxPool(pooling) : .averagePool(pooling, countIncludePad: try int(a, "count_include_pad", 0) != 0)
            append(WorkingNode(name: current, op: kind, inputs: [x.node], c: x.c, h: outH, w: outW), output: out, rank: 4)

        case "GlobalAveragePool":
            try requireInputs(node, 1...1)
            _ = try attributes(node, allowed: [])
            let out = try singleOutput(node)
            let x = try value(node.input[0])
            try requireImage(x, op)
            append(WorkingNode(name: current, op: .globalAveragePool, inputs: [x.node], c: x.c, h: 1, w: 1), output: out, rank: 4)

        case "Gemm", "MatMul":
            try requireInputs(node, op == "Gemm" ? 2...3 : 2...2)
            let a = try attributes(node, allowed: op == "Gemm" ? ["alpha", "beta", "transA", "transB"] : [])
            let out = try singleOutput(node)
            let x = try value(node.input[0])
            guard x.rank == 2 else { throw fail(.unsupportedOp(op: op, reason: "its input has rank 4; flatten it first")) }
            guard try int(a, "transA", 0) == 0 else { throw fail(.unsupportedOp(op: op, reason: "transA = 1 is not supported")) }
            let b = try floats(node.input[1])
            let inputs = x.c * x.h * x.w
            let transB = try int(a, "transB", 0) != 0
            guard b.dims.count == 2, b.dims[transB ? 1 : 0] == inputs else {
                throw fail(.malformed("weight of shape \(b.dims) does not take \(inputs) inputs"))
            }
            let units = try dimension(Int64(b.dims[transB ? 0 : 1]), "output units")
            let alpha = try float(a, "alpha", 1), beta = try float(a, "beta", 1)
            var weight = [Float](repeating: 0, count: units * inputs)
            for o in 0..<units {
                for i in 0..<inputs { weight[o * inputs + i] = alpha * b.floats![transB ? o * inputs + i : i * units + o] }
            }
            var bias = [Float](repeating: 0, count: units)
            if node.input.count == 3, !node.input[2].isEmpty {
                let c = try perChannel(node.input[2], over: Value(node: nil, c: units, h: 1, w: 1, rank: 2))
                bias = c.map { beta * $0 }
            }
            append(WorkingNode(name: current, op: .dense, inputs: [x.node], c: units, h: 1, w: 1,
                               weight: Tensor(shape: [units, inputs], values: weight), bias: Tensor(shape: [units], values: bias)),
                   output: out, rank: 2)

        case "BatchNormalization":
            try requireInputs(node, 5...5)
            let a = try attributes(node, allowed: ["epsilon", "momentum", "training_mode", "spatial"])
            let out = try singleOutput(node)
            guard try int(a, "training_mode", 0) == 0 else { throw fail(.unsupportedOp(op: op, reason: "training_mode = 1")) }
            let x = try value(node.input[0])
            let epsilon = try float(a, "epsilon", 1e-5)
            let p = try (1...4).map { (i: Int) throws(ModelImportError) -> [Float] in
                let c = try floats(node.input[i])
                guard c.floats!.count == x.c else { throw fail(.malformed("input \(node.input[i]) has \(c.floats!.count) values for \(x.c) channels")) }
                return c.floats!
            }
            // y = (x - mean) / sqrt(var + eps) * gamma + beta = x * s + (beta - mean * s).
            var scale = [Float](repeating: 0, count: x.c), offset = scale
            for c in 0..<x.c {
                let s = Double(p[0][c]) / (Double(p[3][c]) + Double(epsilon)).squareRoot()
                scale[c] = Float(s)
                offset[c] = Float(Double(p[1][c]) - Double(p[2][c]) * s)
            }
            appendAffine(x, scale: scale, offset: offset, output: out)

        case "Mul", "Add", "Sub", "Div":
            try requireInputs(node, 2...2)
            _ = try attributes(node, allowed: [])
            let out = try singleOutput(node)
            let isConstant = node.input.map { constants[$0] != nil }
            if !isConstant[0] && !isConstant[1] {
                let x = try value(node.input[0]), y = try value(node.input[1])
                guard op == "Add" else { throw fail(.unsupportedOp(op: op, reason: "\(op) of two activations is not supported")) }
                guard (x.c, x.h, x.w, x.rank) == (y.c, y.h, y.w, y.rank), !x.isFlattenedImage else {
                    throw fail(.unsupportedOp(op: op, reason: "operands of shapes \([x.c, x.h, x.w]) and \([y.c, y.h, y.w]); equal shapes are supported"))
                }
                append(WorkingNode(name: current, op: .add, inputs: [x.node, y.node], c: x.c, h: x.h, w: x.w), output: out, rank: x.rank)
                return
            }
            guard !(isConstant[0] && isConstant[1]) else {
                throw fail(.unsupportedOp(op: op, reason: "both operands are constants (fold constants first)"))
            }
            let constantFirst = isConstant[0]
            let x = try value(node.input[constantFirst ? 1 : 0])
            let k = try perChannel(node.input[constantFirst ? 0 : 1], over: x)
            let ones = [Float](repeating: 1, count: k.count), zeros = [Float](repeating: 0, count: k.count)
            switch (op, constantFirst) {
            case ("Mul", _): appendAffine(x, scale: k, offset: zeros, output: out)
            case ("Add", _): appendAffine(x, scale: ones, offset: k, output: out)
            case ("Sub", false): appendAffine(x, scale: ones, offset: k.map { -$0 }, output: out)
            case ("Sub", true): appendAffine(x, scale: ones.map { -$0 }, offset: k, output: out)
            case ("Div", false): appendAffine(x, scale: k.map { 1 / $0 }, offset: zeros, output: out)
            default: throw fail(.unsupportedOp(op: op, reason: "dividing a constant by an activation is not supported"))
            }

        case "Relu", "Sigmoid", "LeakyRelu":
            try requireInputs(node, 1...1)
            let a = try attributes(node, allowed: op == "LeakyRelu" ? ["alpha"] : [])
            let out = try singleOutput(node)
            let x = try value(node.input[0])
            let kind: ImportedGraph.Op = op == "Relu" ? .relu : op == "Sigmoid" ? .sigmoid : .leakyRelu(alpha: try float(a, "alpha", 0.01))
            append(WorkingNode(name: current, op: kind, inputs: [x.node], c: x.c, h: x.h, w: x.w), output: out, rank: x.rank)

        case "PRelu":
            try requireInputs(node, 2...2)
            _ = try attributes(node, allowed: [])
            let out = try singleOutput(node)
            let x = try value(node.input[0])
            let slope = try perChannel(node.input[1], over: x)
            append(WorkingNode(name: current, op: .prelu, inputs: [x.node], c: x.c, h: x.h, w: x.w, weight: Tensor(shape: [slope.count], values: slope)),
                   output: out, rank: x.rank)

        case "Softmax":
            try requireInputs(node, 1...1)
            let a = try attributes(node, allowed: ["axis"])
            let out = try singleOutput(node)
            let x = try value(node.input[0])
            // Softmax's default axis is 1 before opset 13 and -1 since.
            let before13: Bool
            if case .onnx(let opset) = format { before13 = opset < 13 } else { before13 = false }
            let axis = try int(a, "axis", before13 ? 1 : -1)
            guard x.h == 1, x.w == 1, axis == 1 || (x.rank == 2 && axis == -1) else {
                throw fail(.unsupportedOp(op: op, reason: "softmax over axis \(axis) of a \(x.rank == 2 ? "[N, \(x.c)]" : "[N, \(x.c), \(x.h), \(x.w)]") tensor; over the channels of [N, C] is supported"))
            }
            append(WorkingNode(name: current, op: .softmax, inputs: [x.node], c: x.c, h: 1, w: 1), output: out, rank: x.rank)

        case "Pad":
            try requireInputs(node, 2...4)
            let a = try attributes(node, allowed: ["mode"])
            let out = try singleOutput(node)
            let mode = try string(a, "mode", "constant")
            guard mode == "constant" else { throw fail(.unsupportedOp(op: op, reason: "mode \(mode); constant padding is supported")) }
            let x = try value(node.input[0])
            try requireImage(x, op)
            let raw = try ints(node.input[1])
            var value: Float = 0
            if node.input.count >= 3, !node.input[2].isEmpty {
                let v = try floats(node.input[2])
                guard v.floats!.count == 1 else { throw fail(.malformed("constant_value must be a scalar")) }
                value = v.floats![0]
            }
            var axes: [Int64] = [0, 1, 2, 3]
            if node.input.count == 4, !node.input[3].isEmpty { axes = try ints(node.input[3]).map { $0 < 0 ? $0 + 4 : $0 } }
            guard raw.count == 2 * axes.count, axes.allSatisfy({ (0..<4).contains($0) }), Set(axes).count == axes.count else {
                throw fail(.malformed("pads \(raw) do not fit axes \(axes)"))
            }
            var begin = [Int](repeating: 0, count: 4), end = begin
            for (k, axis) in axes.enumerated() {
                begin[Int(axis)] = try dimension(raw[k], "pad", allowZero: true)
                end[Int(axis)] = try dimension(raw[k + axes.count], "pad", allowZero: true)
            }
            guard begin[0] == 0, end[0] == 0 else { throw fail(.unsupportedOp(op: op, reason: "padding the batch dimension")) }
            let c = x.c + begin[1] + end[1], h = x.h + begin[2] + end[2], w = x.w + begin[3] + end[3]
            guard c <= ONNXImport.maximumDimension, h <= ONNXImport.maximumDimension, w <= ONNXImport.maximumDimension else {
                throw fail(.unsupportedOp(op: op, reason: "the padded tensor is too large"))
            }
            append(WorkingNode(name: current, op: .pad(pads: [begin[2], begin[3], begin[1], end[2], end[3], end[1]], value: value),
                               inputs: [x.node], c: c, h: h, w: w),
                   output: out, rank: 4)

        default:
            throw fail(.unsupportedOp(op: op, reason: "no import for this op (docs/model-import.md lists the supported ones)"))
        }
    }

    /// A per-channel `x * scale + offset` node (BatchNormalization, constant Mul/Add/Sub/Div).
    mutating func appendAffine(_ x: Value, scale: [Float], offset: [Float], output: String) {
        nodes.append(WorkingNode(name: current, op: .affine, inputs: [x.node], c: x.c, h: x.h, w: x.w,
                                 weight: Tensor(shape: [scale.count], values: scale), bias: Tensor(shape: [offset.count], values: offset)))
        values[output] = Value(node: nodes.count - 1, c: x.c, h: x.h, w: x.w, rank: x.rank)
    }

    /// Strides, pads (`auto_pad` resolved) and output size of a convolution or pool window.
    func window(_ a: [String: Onnx_AttributeProto], op: String, kernel: [Int], input x: Value, ceilMode: Bool = false)
        throws(ModelImportError) -> (geometry: (strides: [Int], pads: [Int]), height: Int, width: Int) {
        if let d = try intList(a, "dilations"), d.contains(where: { $0 != 1 }) {
            throw fail(.unsupportedOp(op: op, reason: "dilations \(d); 1 is supported"))
        }
        let s = try intList(a, "strides") ?? [1, 1]
        guard s.count == 2 else { throw fail(.malformed("strides \(s) for a 2-D window")) }
        let strides = [try dimension(s[0], "stride"), try dimension(s[1], "stride")]
        let size = [x.h, x.w]
        var pads = [0, 0, 0, 0]
        switch try string(a, "auto_pad", "NOTSET") {
        case "NOTSET":
            if let p = try intList(a, "pads") {
                guard p.count == 4 else { throw fail(.malformed("pads \(p) for a 2-D window")) }
                for k in 0..<4 { pads[k] = try dimension(p[k], "pad", allowZero: true) }
            }
        case "VALID":
            break
        case let mode where mode == "SAME_UPPER" || mode == "SAME_LOWER":
            for axis in 0..<2 {
                let out = (size[axis] + strides[axis] - 1) / strides[axis]
                let total = max((out - 1) * strides[axis] + kernel[axis] - size[axis], 0)
                let small = total / 2
                pads[axis] = mode == "SAME_UPPER" ? small : total - small
                pads[axis + 2] = total - pads[axis]
            }
        case let mode:
            throw fail(.unsupportedOp(op: op, reason: "auto_pad \(mode)"))
        }
        var out = [0, 0]
        for axis in 0..<2 {
            let span = size[axis] + pads[axis] + pads[axis + 2] - kernel[axis]
            guard span >= 0 else { throw fail(.unsupportedOp(op: op, reason: "the \(kernel[0])x\(kernel[1]) window is larger than the padded \(size[0])x\(size[1]) input")) }
            var n = (ceilMode ? (span + strides[axis] - 1) / strides[axis] : span / strides[axis]) + 1
            // ONNX (and PyTorch): in ceil mode a window may not start inside the end padding.
            if ceilMode, (n - 1) * strides[axis] >= size[axis] + pads[axis] { n -= 1 }
            guard n <= ONNXImport.maximumDimension else { throw fail(.unsupportedOp(op: op, reason: "output size \(n) is above \(ONNXImport.maximumDimension)")) }
            out[axis] = n
        }
        return ((strides, pads), out[0], out[1])
    }
}

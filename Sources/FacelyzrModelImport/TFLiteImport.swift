import FacelyzrTrainer

/// Reads TFLite files into `ImportedGraph`s (docs/model-import.md "TFLite"): flatbuffers' Verifier
/// over the bytes, schema version 3, one subgraph, operators in the file's execution order (each
/// reads only the input, constants and earlier outputs), static NHWC shapes, float32 or float16
/// weights (float16 through DEQUANTIZE), each supported op converted, then the ONNX importer's
/// folding and layout. The file is untrusted: every problem is a `ModelImportError`.
public enum TFLiteImport {
    /// The TFLite schema versions whose files the importer reads.
    public static let supportedVersions: ClosedRange<Int64> = 3...3

    /// Imports the TFLite model in `path`.
    public static func read(path: String) throws(ModelImportError) -> ImportedGraph {
        try read(bytes: modelFileBytes(path: path), file: path)
    }

    /// Imports a TFLite model from its bytes; `file` names it in errors.
    public static func read(bytes: [UInt8], file: String) throws(ModelImportError) -> ImportedGraph {
        let model = try bytes.withUnsafeBufferPointer { (buffer) throws(ModelImportError) -> TFLiteModel in
            try TFLiteModel(bytes: buffer, file: file)
        }
        var reader = TFLiteReader(file: file, model: model)
        return try reader.read()
    }
}

/// A TFLite tensor's place while reading: an image (NHWC, batch 1) computed by a node, or rows:
/// an image reshaped to `[1, rows, width]` (the HWC order of its values unchanged), possibly
/// several concatenated along the rows: each piece is one node's image.
enum TFLiteValue {
    case image(Value)
    case rows(pieces: [Value], width: Int)
}

struct TFLiteReader {
    var graph: GraphReader
    let model: TFLiteModel
    var values: [Int: TFLiteValue] = [:]
    var constants: [Int: Constant] = [:]

    init(file: String, model: TFLiteModel) {
        graph = GraphReader(file: file)
        self.model = model
    }

    func fail(_ reason: ModelImportError.Reason) -> ModelImportError { graph.fail(reason) }

    /// `#index NAME`, or the name of the operator's first output tensor when it has one.
    func displayName(_ k: Int) -> String {
        let op = model.operators[k]
        if let first = op.outputs.first, !model.tensors[first].name.isEmpty { return model.tensors[first].name }
        return "#\(k) \(op.op)"
    }

    func tensorName(_ i: Int) -> String { model.tensors[i].name.isEmpty ? "#\(i)" : model.tensors[i].name }

    mutating func read() throws(ModelImportError) -> ImportedGraph {
        let version = Int64(model.version)
        graph.format = .tflite(schemaVersion: version)
        guard TFLiteImport.supportedVersions.contains(version) else {
            throw fail(.schemaVersionOutOfRange(found: version, supported: TFLiteImport.supportedVersions))
        }
        guard model.subgraphCount == 1 else {
            throw fail(.unsupportedOp(op: "subgraphs", reason: "\(model.subgraphCount) subgraphs (control flow); one is supported"))
        }
        for (i, t) in model.tensors.enumerated() where t.data != nil {
            constants[i] = try decode(i)
        }
        let input = try graphInput()
        for k in model.operators.indices {
            graph.current = displayName(k)
            graph.currentOp = model.operators[k].op
            try convert(model.operators[k])
        }
        graph.current = ""
        graph.currentOp = ""
        var outputs: [(node: Int, name: String)] = []
        for i in model.outputs {
            switch values[i] {
            case .image(let v)?:
                guard let node = v.node else {
                    throw fail(.unsupportedOp(op: "graph output", reason: "output \(tensorName(i)) is the graph input itself"))
                }
                outputs.append((node, tensorName(i)))
            case .rows(let pieces, let width)?:
                // The host reads the pieces one after the other: rows first..<first + count each.
                var first = 0
                for piece in pieces {
                    let count = piece.c * piece.h * piece.w / width
                    guard let node = piece.node else {
                        throw fail(.unsupportedOp(op: "graph output", reason: "output \(tensorName(i)) holds the graph input itself"))
                    }
                    outputs.append((node, "\(tensorName(i))[\(first)..<\(first + count)]"))
                    first += count
                }
            case nil:
                throw fail(.unsupportedOp(op: "graph output", reason: "output \(tensorName(i)) is a constant or is not computed by any operator"))
            }
        }
        guard !outputs.isEmpty else { throw fail(.malformed("the graph has no outputs")) }
        graph.fold(outputs: &outputs)
        return graph.finish(input: input, outputs: outputs, producer: model.description)
    }

    // MARK: Tensors

    /// A constant tensor's values: float32 or float16 as floats, int32 or int64 as ints.
    func decode(_ i: Int) throws(ModelImportError) -> Constant {
        let t = model.tensors[i], name = tensorName(i)
        guard !t.sparse else { throw fail(.unsupportedTensor(tensor: name, reason: "stored sparse")) }
        var count = 1
        for d in t.shape {
            guard d >= 0, d <= 1 << 30 else { throw fail(.malformed("tensor \(name) has dimension \(d)")) }
            let (product, overflow) = count.multipliedReportingOverflow(by: d)
            guard !overflow, product <= 1 << 30 else { throw fail(.malformed("tensor \(name) has too many elements")) }
            count = product
        }
        let data = t.data!
        let size: Int
        switch t.type {
        case "FLOAT32", "INT32": size = 4
        case "FLOAT16": size = 2
        case "INT64": size = 8
        default:
            // Kept for the op that reads it, which says what it wanted (an int8 weight, ...).
            return Constant(dims: t.shape)
        }
        guard data.count == count * size else {
            throw fail(.malformed("tensor \(name) has \(data.count) bytes for \(count) \(t.type) values"))
        }
        return data.withUnsafeBytes { raw in
            switch t.type {
            case "FLOAT32":
                return Constant(dims: t.shape, floats: (0..<count).map { Float(bitPattern: UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: 4 * $0, as: UInt32.self))) })
            case "FLOAT16":
                return Constant(dims: t.shape, floats: (0..<count).map { Float(Float16(bitPattern: UInt16(littleEndian: raw.loadUnaligned(fromByteOffset: 2 * $0, as: UInt16.self)))) })
            case "INT32":
                return Constant(dims: t.shape, ints: (0..<count).map { Int64(Int32(littleEndian: raw.loadUnaligned(fromByteOffset: 4 * $0, as: Int32.self))) })
            default:
                return Constant(dims: t.shape, ints: (0..<count).map { Int64(littleEndian: raw.loadUnaligned(fromByteOffset: 8 * $0, as: Int64.self)) })
            }
        }
    }

    /// The one graph input: float32 `[1, H, W, C]`, static but for the batch.
    mutating func graphInput() throws(ModelImportError) -> ImportedGraph.Input {
        let inputs = model.inputs.filter { constants[$0] == nil }
        guard let i = inputs.first else { throw fail(.malformed("the graph has no input besides constants")) }
        guard inputs.count == 1 else {
            throw fail(.unsupportedOp(op: "graph input", reason: "\(inputs.count) inputs (\(inputs.map(tensorName).joined(separator: ", "))); one image input is supported"))
        }
        let t = model.tensors[i], name = tensorName(i)
        guard t.type == "FLOAT32" else {
            let quantized = t.quantized ? " (a quantized model; float models are imported, and quantized here)" : ""
            throw fail(.unsupportedTensor(tensor: name, reason: "the graph input has element type \(t.type), not FLOAT32\(quantized)"))
        }
        guard t.shape.count == 4 else {
            throw fail(.unsupportedTensor(tensor: name, reason: "the graph input has rank \(t.shape.count); an NHWC image (rank 4) is supported"))
        }
        guard t.shape[0] == 1 else { throw fail(.unsupportedTensor(tensor: name, reason: "batch dimension \(t.shape[0]); 1 is supported")) }
        for k in 1..<4 where t.shapeSignature.count == 4 && t.shapeSignature[k] < 0 {
            throw fail(.dynamicShape(tensor: name, dimension: k))
        }
        var hwc: [Int] = []
        for k in 1..<4 { hwc.append(try graph.dimension(Int64(t.shape[k]), "dimension \(k) of input \(name)")) }
        guard hwc[0] * hwc[1] * hwc[2] <= 1 << 26 else {
            throw fail(.unsupportedTensor(tensor: name, reason: "the input of \(hwc) is too large"))
        }
        values[i] = .image(Value(node: nil, c: hwc[2], h: hwc[0], w: hwc[1], rank: 4))
        return ImportedGraph.Input(name: name, shape: hwc)
    }

    /// The activation in tensor `i`: an image, or (rank 2) a flattened image or a vector.
    func activation(_ i: Int) throws(ModelImportError) -> Value {
        switch values[i] {
        case .image(let v)?: return v
        case .rows?: throw fail(.unsupportedOp(op: graph.currentOp, reason: "input \(tensorName(i)) is reshaped; an NHWC image is expected"))
        case nil:
            if constants[i] != nil {
                throw fail(.unsupportedOp(op: graph.currentOp, reason: "input \(tensorName(i)) is a constant where an activation is expected"))
            }
            throw fail(.malformed("input \(tensorName(i)) is read before any operator computes it (operators must be in execution order)"))
        }
    }

    /// The image activation (NHWC, rank 4) in tensor `i`.
    func image(_ i: Int) throws(ModelImportError) -> Value {
        let v = try activation(i)
        guard v.rank == 4 else {
            throw fail(.unsupportedOp(op: graph.currentOp, reason: "input \(tensorName(i)) has rank 2; an NHWC image is expected"))
        }
        return v
    }

    /// The float constant in tensor `i` (float32, or float16 dequantized).
    func floats(_ i: Int) throws(ModelImportError) -> Constant {
        guard i >= 0, let c = constants[i] else {
            if i >= 0, values[i] != nil {
                throw fail(.unsupportedOp(op: graph.currentOp, reason: "input \(tensorName(i)) is computed; it must be a constant"))
            }
            throw fail(.missingInitializer(tensor: i >= 0 ? tensorName(i) : "(absent)"))
        }
        guard c.floats != nil else {
            let t = model.tensors[i]
            throw fail(.unsupportedTensor(tensor: tensorName(i), reason: "element type \(t.type)\(t.quantized ? " (quantized)" : ""); float32 or float16 weights are supported"))
        }
        return c
    }

    /// The integer constant in tensor `i`.
    func ints(_ i: Int) throws(ModelImportError) -> [Int64] {
        guard i >= 0, let c = constants[i] else { throw fail(.missingInitializer(tensor: i >= 0 ? tensorName(i) : "(absent)")) }
        guard let ints = c.ints else { throw fail(.unsupportedTensor(tensor: tensorName(i), reason: "element type \(model.tensors[i].type) where INT32 or INT64 is expected")) }
        return ints
    }

    // MARK: Ops

    /// Appends `node` and records it as the value of tensor `output` (`[1, H, W, C]`, or with
    /// `rank` 2 `[1, C]`), checking the file's shape.
    mutating func append(_ node: WorkingNode, output: Int, rank: Int = 4) throws(ModelImportError) {
        let declared = model.tensors[output].shape
        let computed = rank == 4 ? [1, node.h, node.w, node.c] : [1, node.c * node.h * node.w]
        guard declared.isEmpty || declared == computed else {
            throw fail(.malformed("output \(tensorName(output)) is declared \(declared), the op computes \(computed)"))
        }
        graph.nodes.append(node)
        values[output] = .image(Value(node: graph.nodes.count - 1, c: node.c, h: node.h, w: node.w, rank: rank))
    }

    func requireArity(_ op: TFLiteModel.Operator, inputs: ClosedRange<Int>) throws(ModelImportError) {
        guard inputs.contains(op.inputs.count), op.inputs.first.map({ $0 >= 0 }) == true else {
            throw fail(.malformed("\(op.op) has \(op.inputs.count) inputs, expected \(inputs.lowerBound)...\(inputs.upperBound)"))
        }
        guard op.outputs.count == 1 else { throw fail(.unsupportedOp(op: op.op, reason: "\(op.outputs.count) outputs; one is supported")) }
        let out = op.outputs[0]
        guard values[out] == nil, constants[out] == nil, !model.inputs.contains(out) else {
            throw fail(.malformed("tensor \(tensorName(out)) is produced more than once"))
        }
    }

    /// NONE or RELU as the node's activation.
    func fusedActivation(_ op: TFLiteModel.Operator, fusable: Bool) throws(ModelImportError) -> Activation {
        switch op.fusedActivation {
        case "NONE": return .none
        case "RELU" where fusable: return .relu
        default: throw fail(.unsupportedOp(op: op.op, reason: "fused activation \(op.fusedActivation.isEmpty ? "unknown" : op.fusedActivation)\(fusable ? "; NONE or RELU is supported" : "; NONE is supported")"))
        }
    }

    /// Pads `[top, left, bottom, right]` and output size of a `kernel` window over `x` with
    /// TFLite's SAME or VALID padding (SAME: `ceil(in / stride)` outputs, the odd pad after).
    func window(_ op: TFLiteModel.Operator, kernel: [Int], input x: Value) throws(ModelImportError) -> (strides: [Int], pads: [Int], height: Int, width: Int) {
        guard op.hasOptions else { throw fail(.malformed("\(op.op) has no options")) }
        guard op.dilationHeight == 1, op.dilationWidth == 1 else {
            throw fail(.unsupportedOp(op: op.op, reason: "dilation \(op.dilationHeight)x\(op.dilationWidth); 1 is supported"))
        }
        let strides = [try graph.dimension(Int64(op.strideHeight), "stride"), try graph.dimension(Int64(op.strideWidth), "stride")]
        let size = [x.h, x.w]
        var pads = [0, 0, 0, 0], out = [0, 0]
        for axis in 0..<2 {
            switch op.padding {
            case "SAME":
                out[axis] = (size[axis] + strides[axis] - 1) / strides[axis]
                let total = max((out[axis] - 1) * strides[axis] + kernel[axis] - size[axis], 0)
                pads[axis] = total / 2
                pads[axis + 2] = total - total / 2
            case "VALID":
                guard size[axis] >= kernel[axis] else {
                    throw fail(.unsupportedOp(op: op.op, reason: "the \(kernel[0])x\(kernel[1]) window is larger than the \(size[0])x\(size[1]) input"))
                }
                out[axis] = (size[axis] - kernel[axis]) / strides[axis] + 1
            default:
                throw fail(.unsupportedOp(op: op.op, reason: "padding \(op.padding.isEmpty ? "unknown" : op.padding); SAME or VALID is supported"))
            }
        }
        return (strides, pads, out[0], out[1])
    }

    mutating func convert(_ op: TFLiteModel.Operator) throws(ModelImportError) {
        let name = graph.current
        switch op.op {
        case "DEQUANTIZE":
            try requireArity(op, inputs: 1...1)
            let i = op.inputs[0]
            guard constants[i] != nil else {
                throw fail(.unsupportedOp(op: op.op, reason: "dequantizing an activation (a quantized model); float models with float16 weights are supported"))
            }
            guard model.tensors[i].type == "FLOAT16" || model.tensors[i].type == "FLOAT32" else {
                throw fail(.unsupportedTensor(tensor: tensorName(i), reason: "\(model.tensors[i].type) weights; float32 or float16 weights are supported"))
            }
            constants[op.outputs[0]] = try floats(i)

        case "CONV_2D", "DEPTHWISE_CONV_2D":
            try requireArity(op, inputs: 2...3)
            let x = try image(op.inputs[0])
            let w = try floats(op.inputs[1])
            guard w.dims.count == 4 else { throw fail(.unsupportedOp(op: op.op, reason: "weight of shape \(w.dims); 2-D convolution is supported")) }
            let kernel = [try graph.dimension(Int64(w.dims[1]), "kernel height"), try graph.dimension(Int64(w.dims[2]), "kernel width")]
            let depthwise = op.op == "DEPTHWISE_CONV_2D"
            // CONV_2D: [out, kh, kw, in / group]; DEPTHWISE_CONV_2D: [1, kh, kw, in * multiplier].
            let outChannels = try graph.dimension(Int64(depthwise ? w.dims[3] : w.dims[0]), "output channels")
            let perGroup = depthwise ? 1 : w.dims[3]
            guard depthwise ? w.dims[0] == 1 && outChannels % x.c == 0 : perGroup > 0 && x.c % perGroup == 0 && outChannels % (x.c / perGroup) == 0 else {
                throw fail(.malformed("weight of shape \(w.dims) does not fit \(x.c) input channels"))
            }
            let group = depthwise ? x.c : x.c / perGroup
            let geometry = try window(op, kernel: kernel, input: x)
            let fused = try fusedActivation(op, fusable: true)
            var bias = [Float](repeating: 0, count: outChannels)
            if op.inputs.count == 3, op.inputs[2] >= 0 {
                let b = try floats(op.inputs[2])
                guard b.floats!.count == outChannels else { throw fail(.malformed("bias has \(b.floats!.count) values for \(outChannels) channels")) }
                bias = b.floats!
            }
            // To the ONNX layout the folding reads (OIHW; depthwise: I = 1, output o reads channel o / multiplier).
            let (kh, kw) = (kernel[0], kernel[1])
            var oihw = [Float](repeating: 0, count: outChannels * perGroup * kh * kw)
            for o in 0..<outChannels { for i in 0..<perGroup { for y in 0..<kh { for x in 0..<kw {
                oihw[((o * perGroup + i) * kh + y) * kw + x] = depthwise ? w.floats![(y * kw + x) * outChannels + o] : w.floats![((o * kh + y) * kw + x) * perGroup + i]
            } } } }
            let conv = ImportedGraph.Convolution(kernelHeight: kh, kernelWidth: kw, strideHeight: geometry.strides[0], strideWidth: geometry.strides[1],
                                                 pads: geometry.pads, group: group)
            try append(WorkingNode(name: name, op: .conv(conv), inputs: [x.node], c: outChannels, h: geometry.height, w: geometry.width,
                                   weight: Tensor(shape: [outChannels, perGroup, kh, kw], values: oihw), bias: Tensor(shape: [outChannels], values: bias),
                                   activation: fused),
                       output: op.outputs[0])

        case "MAX_POOL_2D", "AVERAGE_POOL_2D":
            try requireArity(op, inputs: 1...1)
            let x = try image(op.inputs[0])
            let kernel = [try graph.dimension(Int64(op.filterHeight), "kernel height"), try graph.dimension(Int64(op.filterWidth), "kernel width")]
            let geometry = try window(op, kernel: kernel, input: x)
            _ = try fusedActivation(op, fusable: false)
            let pooling = ImportedGraph.Pooling(kernelHeight: kernel[0], kernelWidth: kernel[1], strideHeight: geometry.strides[0],
                                                strideWidth: geometry.strides[1], pads: geometry.pads, ceilMode: false)
            // TFLite's average pool divides by the cells inside the input.
            let kind: ImportedGraph.Op = op.op == "MAX_POOL_2D" ? .maxPool(pooling) : .averagePool(pooling, countIncludePad: false)
            try append(WorkingNode(name: name, op: kind, inputs: [x.node], c: x.c, h: geometry.height, w: geometry.width), output: op.outputs[0])

        case "ADD":
            try requireArity(op, inputs: 2...2)
            let fused = try fusedActivation(op, fusable: true)
            let x = try image(op.inputs[0]), y = try image(op.inputs[1])
            guard (x.c, x.h, x.w) == (y.c, y.h, y.w) else {
                throw fail(.unsupportedOp(op: op.op, reason: "operands of shapes \([x.h, x.w, x.c]) and \([y.h, y.w, y.c]); equal shapes are supported"))
            }
            try append(WorkingNode(name: name, op: .add, inputs: [x.node, y.node], c: x.c, h: x.h, w: x.w, activation: fused), output: op.outputs[0])

        case "RELU", "LEAKY_RELU", "LOGISTIC":
            try requireArity(op, inputs: 1...1)
            let x = try activation(op.inputs[0])
            let kind: ImportedGraph.Op = op.op == "RELU" ? .relu : op.op == "LOGISTIC" ? .sigmoid : .leakyRelu(alpha: op.alpha)
            try append(WorkingNode(name: name, op: kind, inputs: [x.node], c: x.c, h: x.h, w: x.w), output: op.outputs[0], rank: x.rank)

        case "PRELU":
            try requireArity(op, inputs: 2...2)
            let x = try activation(op.inputs[0])
            let alpha = try floats(op.inputs[1])
            // Broadcast against NHWC: one slope, or one per channel (`[C]`, `[1, 1, C]`, ...).
            guard alpha.dims.dropLast().allSatisfy({ $0 == 1 }), alpha.floats!.count == 1 || (alpha.floats!.count == x.c && !x.isFlattenedImage) else {
                throw fail(.unsupportedOp(op: op.op, reason: "alpha of shape \(alpha.dims) for \(x.c) channels; one slope or one per channel is supported"))
            }
            let slope = alpha.floats!.count == 1 ? [Float](repeating: alpha.floats![0], count: x.c) : alpha.floats!
            try append(WorkingNode(name: name, op: .prelu, inputs: [x.node], c: x.c, h: x.h, w: x.w, weight: Tensor(shape: [x.c], values: slope)),
                       output: op.outputs[0], rank: x.rank)

        case "MEAN":
            try requireArity(op, inputs: 2...2)
            let x = try image(op.inputs[0])
            let axes = Set(try ints(op.inputs[1]).map { $0 < 0 ? $0 + 4 : $0 })
            guard axes == [1, 2] else {
                throw fail(.unsupportedOp(op: op.op, reason: "a mean over axes \(axes.sorted()); over height and width (1, 2: a global average pool) is supported"))
            }
            try append(WorkingNode(name: name, op: .globalAveragePool, inputs: [x.node], c: x.c, h: 1, w: 1), output: op.outputs[0],
                       rank: op.keepDims ? 4 : 2)

        case "FULLY_CONNECTED":
            try requireArity(op, inputs: 2...3)
            let x = try activation(op.inputs[0])
            let fused = try fusedActivation(op, fusable: true)
            guard op.weightsFormat == 0 else { throw fail(.unsupportedOp(op: op.op, reason: "weights format \(op.weightsFormat); DEFAULT is supported")) }
            guard !(op.keepDims && x.rank == 4 && x.h * x.w > 1) else {
                throw fail(.unsupportedOp(op: op.op, reason: "keep_num_dims over an image (a dense layer per pixel); flattened inputs are supported"))
            }
            let w = try floats(op.inputs[1])
            let inputs = x.c * x.h * x.w
            guard w.dims.count == 2, w.dims[1] == inputs else { throw fail(.malformed("weight of shape \(w.dims) does not take \(inputs) inputs")) }
            let units = try graph.dimension(Int64(w.dims[0]), "output units")
            var bias = [Float](repeating: 0, count: units)
            if op.inputs.count == 3, op.inputs[2] >= 0 {
                let b = try floats(op.inputs[2])
                guard b.floats!.count == units else { throw fail(.malformed("bias has \(b.floats!.count) values for \(units) units")) }
                bias = b.floats!
            }
            // TFLite flattens in HWC order; the working graph's dense weights read CHW order (ONNX's).
            var chw = [Float](repeating: 0, count: units * inputs)
            for o in 0..<units { for c in 0..<x.c { for y in 0..<x.h { for xx in 0..<x.w {
                chw[o * inputs + (c * x.h + y) * x.w + xx] = w.floats![o * inputs + (y * x.w + xx) * x.c + c]
            } } } }
            try append(WorkingNode(name: name, op: .dense, inputs: [x.node], c: units, h: 1, w: 1,
                                   weight: Tensor(shape: [units, inputs], values: chw), bias: Tensor(shape: [units], values: bias), activation: fused),
                       output: op.outputs[0], rank: op.keepDims ? 4 : 2)

        case "SOFTMAX":
            try requireArity(op, inputs: 1...1)
            let x = try activation(op.inputs[0])
            guard x.h == 1, x.w == 1 else {
                throw fail(.unsupportedOp(op: op.op, reason: "softmax over an image of \([x.h, x.w, x.c]); over the channels of [1, C] is supported"))
            }
            guard op.beta == 1 else { throw fail(.unsupportedOp(op: op.op, reason: "beta \(op.beta); 1 is supported")) }
            try append(WorkingNode(name: name, op: .softmax, inputs: [x.node], c: x.c, h: 1, w: 1), output: op.outputs[0], rank: x.rank)

        case "PAD", "PADV2":
            try requireArity(op, inputs: op.op == "PAD" ? 2...2 : 3...3)
            let x = try image(op.inputs[0])
            let raw = try ints(op.inputs[1])
            guard raw.count == 8 else { throw fail(.malformed("paddings of \(raw.count) values for a rank-4 tensor")) }
            var value: Float = 0
            if op.op == "PADV2" {
                let v = try floats(op.inputs[2])
                guard v.floats!.count == 1 else { throw fail(.malformed("the constant value must be a scalar")) }
                value = v.floats![0]
            }
            var p: [Int] = []
            for r in raw { p.append(try graph.dimension(r, "pad", allowZero: true)) }
            // paddings [[N before, after], [H ...], [W ...], [C ...]].
            guard p[0] == 0, p[1] == 0 else { throw fail(.unsupportedOp(op: op.op, reason: "padding the batch dimension")) }
            let h = x.h + p[2] + p[3], w = x.w + p[4] + p[5], c = x.c + p[6] + p[7]
            guard h <= ONNXImport.maximumDimension, w <= ONNXImport.maximumDimension, c <= ONNXImport.maximumDimension else {
                throw fail(.unsupportedOp(op: op.op, reason: "the padded tensor is too large"))
            }
            try append(WorkingNode(name: name, op: .pad(pads: [p[2], p[4], p[6], p[3], p[5], p[7]], value: value), inputs: [x.node], c: c, h: h, w: w),
                       output: op.outputs[0])

        case "RESHAPE":
            try requireArity(op, inputs: 1...2)
            let x = try image(op.inputs[0])
            let shape = op.inputs.count == 2 && op.inputs[1] >= 0 ? try ints(op.inputs[1]).map(Int.init) : op.newShape
            let n = x.c * x.h * x.w
            // [1, n]: a flatten (Keras' Flatten before a dense layer), in HWC order.
            if shape.count == 2, shape[0] == 1 || shape[0] == -1, shape[1] == n || (shape[1] == -1 && shape[0] == 1) {
                values[op.outputs[0]] = .image(Value(node: x.node, c: x.c, h: x.h, w: x.w, rank: 2))
                return
            }
            // [1, rows, width] with rows * width = H * W * C: the values keep their HWC order.
            guard shape.count == 3, shape[0] == 1, shape[2] > 0, n % shape[2] == 0, shape[1] == -1 || shape[1] == n / shape[2] else {
                throw fail(.unsupportedOp(op: op.op, reason: "shape \(shape); a flatten to [1, \(n)] or [1, rows, width] of an image's values in HWC order (a detector head) is supported"))
            }
            values[op.outputs[0]] = .rows(pieces: [x], width: shape[2])

        case "CONCATENATION":
            try requireArity(op, inputs: 1...Int.max)
            _ = try fusedActivation(op, fusable: false)
            var pieces: [Value] = [], width: Int?
            for i in op.inputs {
                guard i >= 0, case .rows(let p, let wd)? = values[i], width == nil || width == wd else {
                    throw fail(.unsupportedOp(op: op.op, reason: "only reshaped [1, rows, width] tensors of one width, along the rows, are supported"))
                }
                pieces += p
                width = wd
            }
            guard op.axis == 1 || op.axis == -2 else {
                throw fail(.unsupportedOp(op: op.op, reason: "axis \(op.axis); the rows (axis 1) are supported"))
            }
            values[op.outputs[0]] = .rows(pieces: pieces, width: width!)

        default:
            let what = op.op == "CUSTOM" ? "custom op \(op.customCode)" : op.op
            throw fail(.unsupportedOp(op: what, reason: "no import for this op (docs/model-import.md lists the supported ones)"))
        }
    }
}

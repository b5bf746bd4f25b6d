import CFacelyzrTFLite

/// A TFLite model's first subgraph as Swift values, read through the C view of flatc's accessors
/// (`Sources/CFacelyzrTFLite`) after flatbuffers' Verifier accepted the bytes. Indices are
/// checked here (every tensor an operator or the graph names exists); what they mean is the
/// importer's business (`TFLiteImport`).
struct TFLiteModel {
    struct Tensor {
        var name: String
        /// The schema's TensorType name: `FLOAT32`, `FLOAT16`, `INT32`, ...
        var type: String
        var shape: [Int]
        /// The shape with -1 for dynamic dimensions; empty when the file has none.
        var shapeSignature: [Int]
        /// The constant data, nil when the tensor has none (an activation or the input).
        var data: [UInt8]?
        var quantized: Bool
        var sparse: Bool
    }

    struct Operator {
        /// The schema's BuiltinOperator name (`CONV_2D`), `CUSTOM`, or `#code` when unknown.
        var op: String
        var customCode: String
        /// Tensor indices; -1 marks an absent optional input.
        var inputs: [Int]
        var outputs: [Int]
        var hasOptions: Bool
        /// `SAME` or `VALID` (`""` when unknown).
        var padding: String
        var strideHeight: Int, strideWidth: Int
        var dilationHeight: Int, dilationWidth: Int
        var filterHeight: Int, filterWidth: Int
        var depthMultiplier: Int
        /// `NONE`, `RELU`, `RELU6`, ...
        var fusedActivation: String
        var axis: Int
        var newShape: [Int]
        /// MEAN's keep_dims; FULLY_CONNECTED's keep_num_dims.
        var keepDims: Bool
        /// FULLY_CONNECTED's weights_format (0: DEFAULT, `[units, inputs]`).
        var weightsFormat: Int
        /// SOFTMAX's beta; LEAKY_RELU's alpha.
        var beta: Float, alpha: Float
    }

    var version: UInt32
    /// The model's description: the converter that wrote it (`MLIR Converted.`, `TOCO Converted.`), or empty.
    var description: String
    var subgraphCount: Int
    var tensors: [Tensor]
    var operators: [Operator]
    var inputs: [Int]
    var outputs: [Int]

    /// Verifies `bytes` and copies subgraph 0 out of them; `file` names the model in errors.
    init(bytes: UnsafeBufferPointer<UInt8>, file: String) throws(ModelImportError) {
        func fail(_ why: String) -> ModelImportError { ModelImportError(file: file, reason: .malformed(why)) }
        guard let base = bytes.baseAddress else { throw fail("not a TFLite flatbuffer (empty file)") }
        switch fz_tflite_verify(base, bytes.count) {
        case FZ_TFLITE_OK: break
        case FZ_TFLITE_NOT_TFLITE: throw fail("not a TFLite flatbuffer (no TFL3 file identifier)")
        case FZ_TFLITE_MISSING: throw fail("the model has no subgraph, tensors, operators or buffers")
        default: throw fail("flatbuffers' verifier rejects the file (an offset, vector or string out of bounds, or nesting too deep)")
        }
        version = fz_tflite_version(base)
        description = ""
        subgraphCount = Int(fz_tflite_subgraph_count(base))
        let tensorCount = Int(fz_tflite_tensor_count(base))
        let bufferCount = Int(fz_tflite_buffer_count(base))

        func ints(_ v: fz_tflite_ints) -> [Int] { (0..<Int(v.count)).map { Int(v.items[$0]) } }
        func string(_ s: fz_tflite_string) -> String {
            String(decoding: UnsafeRawBufferPointer(start: s.chars, count: s.length), as: UTF8.self)
        }
        description = string(fz_tflite_description(base))
        func checkTensors(_ indices: [Int], optional: Bool, _ what: String) throws(ModelImportError) {
            for i in indices where !(optional && i == -1) {
                guard (0..<tensorCount).contains(i) else { throw fail("\(what) names tensor \(i) of \(tensorCount)") }
            }
        }

        var tensors: [Tensor] = []
        for i in 0..<tensorCount {
            var t = fz_tflite_tensor()
            guard fz_tflite_tensor_at(base, Int32(i), &t) == FZ_TFLITE_OK else { throw fail("tensor \(i) is missing") }
            guard Int(t.buffer) < bufferCount else { throw fail("tensor \(i) names buffer \(t.buffer) of \(bufferCount)") }
            var pointer: UnsafePointer<UInt8>?
            var length = 0
            guard fz_tflite_buffer_at(base, bytes.count, t.buffer, &pointer, &length) == FZ_TFLITE_OK else {
                throw fail("buffer \(t.buffer) of tensor \(i) lies outside the file")
            }
            let data = pointer.map { Array(UnsafeBufferPointer(start: $0, count: length)) }
            tensors.append(Tensor(name: string(t.name), type: String(cString: fz_tflite_type_name(t.type)), shape: ints(t.shape),
                                  shapeSignature: ints(t.shape_signature), data: data, quantized: t.quantized, sparse: t.sparse))
        }
        var operators: [Operator] = []
        for k in 0..<Int(fz_tflite_operator_count(base)) {
            var o = fz_tflite_operator()
            switch fz_tflite_operator_at(base, Int32(k), &o) {
            case FZ_TFLITE_OK: break
            case FZ_TFLITE_OUT_OF_RANGE: throw fail("operator \(k) names an op code the model does not have")
            default: throw fail("operator \(k) is missing")
            }
            let name = String(cString: fz_tflite_operator_name(o.builtin_code))
            let op = Operator(
                op: name.isEmpty ? "#\(o.builtin_code)" : name, customCode: string(o.custom_code), inputs: ints(o.inputs), outputs: ints(o.outputs),
                hasOptions: o.has_options, padding: String(cString: fz_tflite_padding_name(o.padding)),
                strideHeight: Int(o.stride_h), strideWidth: Int(o.stride_w), dilationHeight: Int(o.dilation_h), dilationWidth: Int(o.dilation_w),
                filterHeight: Int(o.filter_h), filterWidth: Int(o.filter_w), depthMultiplier: Int(o.depth_multiplier),
                fusedActivation: String(cString: fz_tflite_activation_name(o.fused_activation)), axis: Int(o.axis), newShape: ints(o.new_shape),
                keepDims: o.keep_dims, weightsFormat: Int(o.weights_format), beta: o.beta, alpha: o.alpha)
            try checkTensors(op.inputs, optional: true, "operator \(k) (\(op.op))")
            try checkTensors(op.outputs, optional: false, "operator \(k) (\(op.op))")
            operators.append(op)
        }
        inputs = ints(fz_tflite_inputs(base))
        outputs = ints(fz_tflite_outputs(base))
        try checkTensors(inputs, optional: false, "the graph's inputs")
        try checkTensors(outputs, optional: false, "the graph's outputs")
        self.tensors = tensors
        self.operators = operators
    }
}

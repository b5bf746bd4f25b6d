import FacelyzrRuntime

/// Builds a model blob (docs/blob-format.md) op by op, through the runtime's `BlobFormat`
/// definitions. Shapes follow from each op's parameters; the arena is planned by liveness in
/// `build()`. The builder does not validate: `Model(bytes:)` does, so tests can craft hostile blobs.
public struct BlobBuilder {
    /// A tensor of the model being built.
    public struct Tensor: Hashable, Sendable {
        public let index: Int
    }

    /// Scale, zero point and element type of an activation: int8, or int16 with zero point 0
    /// (format version 5, docs/quantization.md "16-bit activations").
    public struct Quantization: Sendable, Equatable {
        public var scale: Float
        public var zeroPoint: Int32
        public var element: TensorLayout
        /// An int8 activation's.
        public init(scale: Float, zeroPoint: Int32) {
            self.init(scale: scale, zeroPoint: zeroPoint, element: .nhwcInt8)
        }
        public init(scale: Float, zeroPoint: Int32, element: TensorLayout) {
            self.scale = scale
            self.zeroPoint = zeroPoint
            self.element = element
        }
    }

    /// Q31 multiplier and shift of one output channel.
    public struct Requantization: Sendable, Equatable {
        public var multiplier: Int32
        public var shift: Int32
        public init(multiplier: Int32, shift: Int32) {
            self.multiplier = multiplier
            self.shift = shift
        }
        /// From the real factor `s_in * s_w / s_out` with the runtime's `quantizeMultiplier`.
        public init(real: Double) {
            (multiplier, shift) = quantizeMultiplier(real)
        }
    }

    /// Fused activation, turned into the op's output clamp.
    public enum Activation: Sendable, Equatable {
        case none, relu, relu6
        case clamp(Int32, Int32)
    }

    struct TensorInfo {
        var shape: TensorShape
        var quantization: Quantization
    }

    struct OpInfo {
        var kind: OpKind
        var input: Int
        var output: Int  // tensor, or first head output for accumulators
        var outputLength = 0
        var secondInput: Int?  // add only
        var padBefore = (rows: 0, columns: 0, channels: 0)  // pad only
        var padValues: [Int8] = []  // pad only: one per output channel, or none (the zero point)
        var kernel = (height: 0, width: 0)
        var stride = (height: 0, width: 0)
        var padding = Padding.valid
        var rounding = RoundingMode.double
        var clamp: (Int32, Int32) = (0, 0)
        var weights: [Int8] = []
        var bias: [Int64] = []  // int32 in the blob, int64 for a 16x8 op
        var requantization: [Requantization] = []
    }

    struct HeadInfo {
        var name: String
        var kind: HeadKind
        var firstOutput: Int
        var scales: [Float]
        var labels: [String]
        var values: [Float]
    }

    public let name: String
    public let pixelFormat: PixelFormat
    var tensors: [TensorInfo] = []
    var ops: [OpInfo] = []
    var heads: [HeadInfo] = []
    var outputCount = 0

    /// The model's input tensor: `height x width` pixels, `q = pixel XOR 0x80`, real value `scale * q`.
    public let input: Tensor

    public init(name: String, height: Int, width: Int, pixelFormat: PixelFormat, inputScale: Float = 1.0 / 128) {
        self.name = name
        self.pixelFormat = pixelFormat
        tensors.append(TensorInfo(
            shape: TensorShape(height: height, width: width, channels: pixelFormat.channels),
            quantization: Quantization(scale: inputScale, zeroPoint: 0)))
        input = Tensor(index: 0)
    }

    /// Shape of a tensor.
    public func shape(_ t: Tensor) -> TensorShape { tensors[t.index].shape }
    /// Quantization of a tensor.
    public func quantization(_ t: Tensor) -> Quantization { tensors[t.index].quantization }

    mutating func add(_ shape: TensorShape, _ quantization: Quantization) -> Tensor {
        tensors.append(TensorInfo(shape: shape, quantization: quantization))
        return Tensor(index: tensors.count - 1)
    }

    func clamp(_ activation: Activation, _ q: Quantization) -> (Int32, Int32) {
        let (low, high): (Int32, Int32) = q.element == .nhwcInt16 ? (-32768, 32767) : (-128, 127)
        switch activation {
        case .none: return (low, high)
        case .relu: return (max(q.zeroPoint, low), high)
        case .relu6:
            let six = (6 / Double(q.scale)).rounded(.toNearestOrAwayFromZero)
            return (max(q.zeroPoint, low), Int32(min(Double(high), Double(q.zeroPoint) + six)))
        case .clamp(let low, let high): return (low, high)
        }
    }

    /// 2-D convolution; `weights` OHWI (`filters x kernelHeight x kernelWidth x inChannels`).
    public mutating func conv2D(
        _ x: Tensor, filters: Int, kernelHeight: Int, kernelWidth: Int, strideHeight: Int = 1, strideWidth: Int = 1,
        padding: Padding, weights: [Int8], bias: [some FixedWidthInteger], requantization: [Requantization],
        output: Quantization, activation: Activation = .none, rounding: RoundingMode = .double
    ) -> Tensor {
        convolution(.conv2D, x, filters: filters, kernelHeight: kernelHeight, kernelWidth: kernelWidth,
                    strideHeight: strideHeight, strideWidth: strideWidth, padding: padding, weights: weights,
                    bias: bias, requantization: requantization, output: output, activation: activation, rounding: rounding)
    }

    /// 3x3 depthwise convolution (depth multiplier 1); `weights` HWC.
    public mutating func depthwiseConv2D(
        _ x: Tensor, strideHeight: Int = 1, strideWidth: Int = 1, padding: Padding,
        weights: [Int8], bias: [some FixedWidthInteger], requantization: [Requantization],
        output: Quantization, activation: Activation = .none, rounding: RoundingMode = .double
    ) -> Tensor {
        convolution(.depthwiseConv2D, x, filters: shape(x).channels, kernelHeight: 3, kernelWidth: 3,
                    strideHeight: strideHeight, strideWidth: strideWidth, padding: padding, weights: weights,
                    bias: bias, requantization: requantization, output: output, activation: activation, rounding: rounding)
    }

    mutating func convolution(
        _ kind: OpKind, _ x: Tensor, filters: Int, kernelHeight: Int, kernelWidth: Int, strideHeight: Int, strideWidth: Int,
        padding: Padding, weights: [Int8], bias: [some FixedWidthInteger], requantization: [Requantization],
        output: Quantization, activation: Activation, rounding: RoundingMode
    ) -> Tensor {
        let s = shape(x)
        let rows = padding.outputLength(input: s.height, kernel: kernelHeight, stride: strideHeight).length
        let columns = padding.outputLength(input: s.width, kernel: kernelWidth, stride: strideWidth).length
        let y = add(TensorShape(height: rows, width: columns, channels: filters), output)
        ops.append(OpInfo(
            kind: kind, input: x.index, output: y.index, kernel: (kernelHeight, kernelWidth),
            stride: (strideHeight, strideWidth), padding: padding, rounding: rounding,
            clamp: clamp(activation, output), weights: weights, bias: bias.map { Int64($0) }, requantization: requantization))
        return y
    }

    /// 2x2 stride-2 max pool (keeps the input's quantization).
    public mutating func maxPool2x2(_ x: Tensor) -> Tensor { pool(.maxPool2x2, x) }
    /// 2x2 stride-2 average pool (keeps the input's quantization).
    public mutating func averagePool2x2(_ x: Tensor) -> Tensor { pool(.averagePool2x2, x) }
    /// Mean over height and width (keeps the input's quantization).
    public mutating func globalAveragePool(_ x: Tensor) -> Tensor { pool(.globalAveragePool, x) }

    /// Max pool of a `kernelHeight x kernelWidth` window (1...7) at `strideHeight x strideWidth`
    /// (1...7), same or valid (docs/quantization.md "Max pool"; format version 3); keeps the
    /// input's quantization, `activation` a clamp in it.
    public mutating func maxPool(
        _ x: Tensor, kernelHeight: Int, kernelWidth: Int, strideHeight: Int, strideWidth: Int, padding: Padding,
        activation: Activation = .none
    ) -> Tensor {
        let s = shape(x)
        let rows = padding.outputLength(input: s.height, kernel: kernelHeight, stride: strideHeight)
        let columns = padding.outputLength(input: s.width, kernel: kernelWidth, stride: strideWidth)
        let y = add(TensorShape(height: rows.length, width: columns.length, channels: s.channels), quantization(x))
        ops.append(OpInfo(
            kind: .maxPool, input: x.index, output: y.index, kernel: (kernelHeight, kernelWidth),
            stride: (strideHeight, strideWidth), padding: padding, clamp: clamp(activation, quantization(x))))
        return y
    }

    mutating func pool(_ kind: OpKind, _ x: Tensor) -> Tensor {
        let s = shape(x)
        let outShape = kind == .globalAveragePool
            ? TensorShape(height: 1, width: 1, channels: s.channels)
            : TensorShape(height: s.height / 2, width: s.width / 2, channels: s.channels)
        let y = add(outShape, quantization(x))
        ops.append(OpInfo(kind: kind, input: x.index, output: y.index))
        return y
    }

    /// Element-wise add of two tensors of one shape (docs/quantization.md "Add");
    /// `requantization` holds input 1's, input 2's and the output's (`addRequantization`).
    public mutating func add(
        _ a: Tensor, _ b: Tensor, requantization: [Requantization], output: Quantization, activation: Activation = .none
    ) -> Tensor {
        let y = add(shape(a), output)
        ops.append(OpInfo(
            kind: .add, input: a.index, output: y.index, secondInput: b.index, clamp: clamp(activation, output),
            requantization: requantization))
        return y
    }

    /// Padding (docs/quantization.md "Pad"): `top`/`bottom` rows, `left`/`right` columns and
    /// `channelsBefore`/`channelsAfter` channels of the zero point around `x` (keeps its
    /// quantization), or, with `values` (one stored value per output channel; format version 3),
    /// of those values.
    public mutating func pad(
        _ x: Tensor, top: Int = 0, bottom: Int = 0, left: Int = 0, right: Int = 0, channelsBefore: Int = 0, channelsAfter: Int = 0,
        values: [Int8] = []
    ) -> Tensor {
        let s = shape(x)
        let y = add(TensorShape(height: top + s.height + bottom, width: left + s.width + right,
                                channels: channelsBefore + s.channels + channelsAfter), quantization(x))
        precondition(values.isEmpty || values.count == shape(y).channels)
        // Values that are all the zero point are the plain pad (and keep the blob's version).
        let zeroPoint = Int8(truncatingIfNeeded: quantization(x).zeroPoint)
        ops.append(OpInfo(kind: .pad, input: x.index, output: y.index, padBefore: (top, left, channelsBefore),
                          padValues: values.allSatisfy { $0 == zeroPoint } ? [] : values))
        return y
    }

    /// The three requantisations of an add with these scales, TFLite ADD's choice
    /// (docs/quantization.md "Add"): input `i`'s factor `s_i / (2 max(s_1, s_2))`, the output's
    /// `2 max(s_1, s_2) / (2^20 s_out)`; nil when the output's needs a shift above 0
    /// (`s_out <= 2 max(s_1, s_2) / 2^20`, an output 2^19 times finer than its inputs).
    /// `int16`: the 16-bit add's (left shift `AddParameters.int16InputLeftShift`, 15).
    public static func addRequantization(input1: Float, input2: Float, output: Float, int16: Bool = false) -> [Requantization]? {
        let twiceMaximum = 2 * Double(max(input1, input2))
        let leftShift = int16 ? AddParameters.int16InputLeftShift : AddParameters.inputLeftShift
        let outputFactor = twiceMaximum / (Double(1 << leftShift) * Double(output))
        let result = [
            Requantization(real: Double(input1) / twiceMaximum), Requantization(real: Double(input2) / twiceMaximum),
            Requantization(real: outputFactor),
        ]
        return result.allSatisfy { $0.shift <= 0 } ? result : nil
    }

    /// Fully connected with int8 output; `weights` `[outputs][inputs]` over the NHWC-flattened input.
    public mutating func fullyConnected(
        _ x: Tensor, outputs: Int, weights: [Int8], bias: [some FixedWidthInteger], requantization: [Requantization],
        output: Quantization, activation: Activation = .none, rounding: RoundingMode = .single
    ) -> Tensor {
        let y = add(TensorShape(height: 1, width: 1, channels: outputs), output)
        ops.append(OpInfo(
            kind: .fullyConnected, input: x.index, output: y.index, rounding: rounding,
            clamp: clamp(activation, output), weights: weights, bias: bias.map { Int64($0) }, requantization: requantization))
        return y
    }

    /// A head: a fully connected layer whose int32 accumulators are the head's outputs, each
    /// dequantised with `scales[i]` (`s_in * s_w[i]`) and named `labels[i]`; `kind` says what
    /// they mean (docs/quantization.md "Heads"). An expected-value head takes its bins' values
    /// in `values` (one per output, finite, docs/blob-format.md "Heads"); other kinds none.
    /// `perPlace` (format version 4): a 1x1 convolution instead, `weights` `[outputs][channels]`
    /// applied at every pixel of `x`, its outputs per pixel, row-major, each pixel's `bias.count`
    /// outputs dequantised and named as `scales` and `labels` say.
    public mutating func head(
        _ name: String, kind: HeadKind, input x: Tensor, weights: [Int8], bias: [some FixedWidthInteger], scales: [Float], labels: [String],
        values: [Float] = [], perPlace: Bool = false
    ) {
        precondition(scales.count == bias.count && labels.count == bias.count)
        precondition(kind == .expectedValue ? values.count == bias.count : values.isEmpty)
        let places = perPlace ? tensors[x.index].shape.height * tensors[x.index].shape.width : 1
        let window = perPlace ? 1 : 0
        ops.append(OpInfo(
            kind: .fullyConnectedAccumulators, input: x.index, output: outputCount, outputLength: bias.count * places,
            kernel: (window, window), stride: (window, window), weights: weights, bias: bias.map { Int64($0) }))
        heads.append(HeadInfo(
            name: name, kind: kind, firstOutput: outputCount, scales: Array(repeating: scales, count: places).flatMap { $0 },
            labels: Array(repeating: labels, count: places).flatMap { $0 }, values: Array(repeating: values, count: places).flatMap { $0 }))
        outputCount += bias.count * places
    }

    /// The arena plan `build()` uses: tensor lifetimes from producer to last reader.
    public func arenaPlan() -> ArenaPlan {
        let lifetimes = ArenaPlan.lifetimes(
            tensorCount: tensors.count, inputTensor: input.index,
            ops: ops.map { ([$0.input] + ($0.secondInput.map { [$0] } ?? []), $0.kind == .fullyConnectedAccumulators ? nil : $0.output) })
        return ArenaPlan(sizes: tensors.map { $0.shape.elementCount * $0.quantization.element.elementSize }, lifetimes: lifetimes)
    }

    /// The blob's bytes (checksums sealed) and the arena plan.
    public func build() -> (bytes: [UInt8], arena: ArenaPlan) {
        let plan = arenaPlan()
        var strings = ByteWriter()
        func string(_ s: String) -> (UInt32, UInt32) {
            let offset = strings.count
            strings.append(Array(s.utf8))
            return (UInt32(offset), UInt32(s.utf8.count))
        }

        typealias M = BlobFormat.Metadata
        var metadata = ByteWriter(zeros: M.size)
        let modelName = string(name)
        metadata.put(modelName.0, at: M.nameOffset)
        metadata.put(modelName.1, at: M.nameLength)
        metadata.put(UInt32(tensors[0].shape.height), at: M.inputHeight)
        metadata.put(UInt32(tensors[0].shape.width), at: M.inputWidth)
        metadata.put(UInt32(tensors[0].shape.channels), at: M.inputChannels)
        metadata.put(pixelFormat.rawValue, at: M.pixelFormat)
        metadata.put(tensors[0].quantization.scale.bitPattern, at: M.inputScale)
        metadata.put(UInt32(0), at: M.inputZeroPoint)
        metadata.put(UInt32(0), at: M.inputTensor)
        metadata.put(UInt64(plan.byteCount), at: M.arenaByteCount)

        typealias T = BlobFormat.TensorRecord
        var tensorTable = ByteWriter(zeros: T.size * tensors.count)
        for (i, t) in tensors.enumerated() {
            let r = i * T.size
            tensorTable.put(UInt32(t.shape.height), at: r + T.height)
            tensorTable.put(UInt32(t.shape.width), at: r + T.width)
            tensorTable.put(UInt32(t.shape.channels), at: r + T.channels)
            tensorTable.put(t.quantization.element.rawValue, at: r + T.layout)
            tensorTable.put(UInt32(bitPattern: t.quantization.zeroPoint), at: r + T.zeroPoint)
            tensorTable.put(t.quantization.scale.bitPattern, at: r + T.scale)
            tensorTable.put(UInt64(plan.offsets[i]), at: r + T.arenaOffset)
        }

        typealias O = BlobFormat.OpRecord
        var opTable = ByteWriter(zeros: O.size * ops.count)
        var weights = ByteWriter()
        for (i, op) in ops.enumerated() {
            let r = i * O.size
            opTable.put(op.kind.rawValue, at: r + O.opcode)
            opTable.put(isWide(op) ? 0 : op.rounding.rawValue, at: r + O.rounding)  // a 16x8 op has one rounding
            opTable.put(UInt32(op.input), at: r + O.input)
            opTable.put(UInt32(op.output), at: r + O.output)
            opTable.put(UInt32(op.secondInput ?? op.outputLength), at: op.kind == .add ? r + O.secondInput : r + O.outputLength)
            opTable.put(UInt8(op.kernel.height), at: r + O.kernelHeight)
            opTable.put(UInt8(op.kernel.width), at: r + O.kernelWidth)
            opTable.put(UInt8(op.stride.height), at: r + O.strideHeight)
            opTable.put(UInt8(op.stride.width), at: r + O.strideWidth)
            opTable.put(op.padding.rawValue, at: r + O.padding)
            opTable.put(UInt32(bitPattern: op.clamp.0), at: r + O.outputMin)
            opTable.put(UInt32(bitPattern: op.clamp.1), at: r + O.outputMax)
            if op.kind == .pad {
                opTable.put(UInt32(op.padBefore.rows), at: r + O.padTop)
                opTable.put(UInt32(op.padBefore.columns), at: r + O.padLeft)
                opTable.put(UInt32(op.padBefore.channels), at: r + O.padChannels)
                if !op.padValues.isEmpty {
                    opTable.put(UInt8(1), at: r + O.padFill)
                    opTable.put(UInt64(weights.appendAligned(op.padValues.map { UInt8(bitPattern: $0) })), at: r + O.weights)
                }
            }
            if [.maxPool2x2, .maxPool, .averagePool2x2, .globalAveragePool, .pad].contains(op.kind) { continue }
            if op.kind != .add {
                opTable.put(UInt64(weights.appendAligned(op.weights.map { UInt8(bitPattern: $0) })), at: r + O.weights)
                // A 16x8 op's bias is int64 (docs/blob-format.md, version 5).
                let bias = isWide(op) ? op.bias.flatMap(\.littleEndianBytes) : op.bias.flatMap { Int32(truncatingIfNeeded: $0).littleEndianBytes }
                opTable.put(UInt64(weights.appendAligned(bias)), at: r + O.bias)
            }
            if op.kind == .fullyConnectedAccumulators { continue }
            opTable.put(UInt64(weights.appendAligned(op.requantization.flatMap(\.multiplier.littleEndianBytes))), at: r + O.multipliers)
            opTable.put(UInt64(weights.appendAligned(op.requantization.flatMap(\.shift.littleEndianBytes))), at: r + O.shifts)
        }

        typealias H = BlobFormat.HeadRecord
        typealias P = BlobFormat.OutputRecord
        var headTable = ByteWriter(zeros: H.size * heads.count)
        var outputTable = ByteWriter(zeros: P.size * outputCount)
        for (i, head) in heads.enumerated() {
            let r = i * H.size
            let headName = string(head.name)
            headTable.put(head.kind.rawValue, at: r + H.kind)
            headTable.put(headName.0, at: r + H.nameOffset)
            headTable.put(headName.1, at: r + H.nameLength)
            headTable.put(UInt32(head.firstOutput), at: r + H.firstOutput)
            headTable.put(UInt32(head.scales.count), at: r + H.outputCount)
            for (j, scale) in head.scales.enumerated() {
                let o = (head.firstOutput + j) * P.size
                let label = string(head.labels[j])
                outputTable.put(scale.bitPattern, at: o + P.scale)
                outputTable.put(label.0, at: o + P.labelOffset)
                outputTable.put(label.1, at: o + P.labelLength)
                if head.kind == .expectedValue { outputTable.put(head.values[j].bitPattern, at: o + P.value) }
            }
        }

        let sections: [(SectionKind, ByteWriter)] = [
            (.metadata, metadata), (.strings, strings), (.tensors, tensorTable), (.ops, opTable),
            (.heads, headTable), (.outputs, outputTable), (.weights, weights),
        ]
        // Kernels above 5 and pads with values came with version 3.
        let newerOps = ops.contains { $0.kind == .conv2D && max($0.kernel.height, $0.kernel.width) > BlobFormat.maximumKernelVersion2 }
            || ops.contains { !$0.padValues.isEmpty }  // and pads with values
        // Per-place heads came with version 4.
        let perPlaceHeads = ops.contains { $0.kind == .fullyConnectedAccumulators && $0.kernel.height == 1 }
        let version = (ops.map(\.kind.minimumVersion) + heads.map(\.kind.minimumVersion) + tensors.map(\.quantization.element.minimumVersion)
            + [perPlaceHeads ? 4 : newerOps ? 3 : 1]).max()!
        return (BlobBuilder.assemble(sections.map { ($0.0.rawValue, 0, $0.1.bytes) }, version: version), plan)
    }

    /// Whether `op` is a 16x8 op: its input or output tensor is int16.
    func isWide(_ op: OpInfo) -> Bool {
        tensors[op.input].quantization.element == .nhwcInt16
            || (op.kind != .fullyConnectedAccumulators && tensors[op.output].quantization.element == .nhwcInt16)
    }

    /// Lays out a header stamped `version`, a section table and the sections `(kind, flags, bytes)`
    /// (each at a 16-byte aligned offset, in order), then seals the checksums. `build()` stamps
    /// the lowest version whose ops and heads the model uses (`OpKind.minimumVersion`,
    /// `HeadKind.minimumVersion`, 3 for a convolution kernel above 5), so a model without an add
    /// is the same version-1 blob it was before version 2, and one without version 3's heads,
    /// max pool and kernels the blob it was before them.
    public static func assemble(_ sections: [(kind: UInt32, flags: UInt32, bytes: [UInt8])], version: UInt32 = 1) -> [UInt8] {
        typealias H = BlobFormat.Header
        typealias E = BlobFormat.SectionEntry
        let alignment = Int(BlobFormat.minimumSectionAlignment)
        let headerSize = H.size + E.size * sections.count
        var blob = ByteWriter(zeros: headerSize)
        blob.put(BlobFormat.magic, at: H.magic)
        blob.put(version, at: H.version)
        blob.put(BlobFormat.endiannessMark, at: H.endiannessMark)
        blob.put(UInt32(headerSize), at: H.headerSize)
        blob.put(UInt32(sections.count), at: H.sectionCount)
        for (i, section) in sections.enumerated() {
            blob.pad(to: alignment)
            let e = H.size + i * E.size
            blob.put(section.kind, at: e + E.kind)
            blob.put(section.flags, at: e + E.flags)
            blob.put(UInt64(blob.count), at: e + E.offset)
            blob.put(UInt64(section.bytes.count), at: e + E.length)
            blob.put(UInt32(alignment), at: e + E.alignment)
            blob.append(section.bytes)
        }
        blob.put(UInt64(blob.count), at: H.fileSize)
        var bytes = blob.bytes
        sealChecksums(&bytes)
        return bytes
    }

    /// Recomputes the payload and header checksums of `blob` in place (from its header size;
    /// does nothing if the header is incomplete).
    public static func sealChecksums(_ blob: inout [UInt8]) {
        typealias H = BlobFormat.Header
        guard blob.count >= H.size else { return }
        blob.withUnsafeMutableBytes { raw in
            let base = UnsafeRawPointer(raw.baseAddress!)
            let headerSize = Int(base.loadUnaligned(fromByteOffset: H.headerSize, as: UInt32.self).littleEndian)
            guard headerSize >= H.size, headerSize <= raw.count else { return }
            let payload = BlobFormat.payloadChecksum(base, headerSize: headerSize, fileSize: raw.count)
            raw.storeBytes(of: payload.littleEndian, toByteOffset: H.payloadChecksum, as: UInt32.self)
            let header = BlobFormat.headerChecksum(base, headerSize: headerSize)
            raw.storeBytes(of: header.littleEndian, toByteOffset: H.headerChecksum, as: UInt32.self)
        }
    }
}

/// Little-endian byte buffer the builder lays records into.
struct ByteWriter {
    var bytes: [UInt8] = []
    init() {}
    init(zeros: Int) { bytes = [UInt8](repeating: 0, count: zeros) }
    var count: Int { bytes.count }

    mutating func put<I: FixedWidthInteger>(_ value: I, at offset: Int) {
        bytes.replaceSubrange(offset..<(offset + I.bitWidth / 8), with: value.littleEndianBytes)
    }
    mutating func append(_ more: [UInt8]) { bytes += more }
    mutating func pad(to alignment: Int) {
        bytes += [UInt8](repeating: 0, count: (alignment - bytes.count % alignment) % alignment)
    }
    /// Appends at the next 16-byte boundary; returns the offset.
    mutating func appendAligned(_ more: [UInt8]) -> Int {
        pad(to: Int(BlobFormat.minimumSectionAlignment))
        let offset = count
        append(more)
        return offset
    }
}

extension FixedWidthInteger {
    var littleEndianBytes: [UInt8] {
        (0..<(Self.bitWidth / 8)).map { UInt8(truncatingIfNeeded: self >> ($0 * 8)) }
    }
}

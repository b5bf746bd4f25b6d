/// A validated model blob: an immutable, zero-copy view over the caller's bytes.
///
/// `init(bytes:)` checks everything docs/blob-format.md requires; afterwards reading the
/// model and `predict` perform no check that can fail. The caller keeps the bytes alive and
/// unchanged while the model is used. A model can be shared across threads, each thread
/// passing its own arena.
public struct Model: @unchecked Sendable {
    @usableFromInline let base: UnsafeRawPointer
    /// Length of the blob in bytes.
    public let byteCount: Int
    @usableFromInline let layout: SectionLayout
    /// Bytes of scratch memory `predict` needs (the activation arena, planned at export).
    public let arenaByteCount: Int
    /// The image the model takes.
    public let input: ModelInput
    /// Index of the tensor the input pixels are written to.
    public let inputTensor: Int
    public let tensorCount: Int
    public let opCount: Int
    public let headCount: Int
    /// Number of int32 head outputs `predict` writes.
    public let outputCount: Int
    /// Bytes the debug `predict(pixels:arena:outputs:layerOutputs:)` writes: every int8 op's
    /// output, in op order (see `layerOutputOffset(op:)`).
    public let layerOutputByteCount: Int

    @usableFromInline
    init(
        base: UnsafeRawPointer, byteCount: Int, layout: SectionLayout, arenaByteCount: Int,
        input: ModelInput, inputTensor: Int, layerOutputByteCount: Int
    ) {
        self.base = base
        self.byteCount = byteCount
        self.layout = layout
        self.arenaByteCount = arenaByteCount
        self.input = input
        self.inputTensor = inputTensor
        self.tensorCount = layout.tensors.length / BlobFormat.TensorRecord.size
        self.opCount = layout.ops.length / BlobFormat.OpRecord.size
        self.headCount = layout.heads.length / BlobFormat.HeadRecord.size
        self.outputCount = layout.outputs.length / BlobFormat.OutputRecord.size
        self.layerOutputByteCount = layerOutputByteCount
    }

    /// The blob's bytes.
    public var bytes: UnsafeRawBufferPointer { UnsafeRawBufferPointer(start: base, count: byteCount) }

    /// The model's name (UTF-8).
    public var name: UnsafeRawBufferPointer {
        let m = layout.metadata.offset
        return string(offset: base.u32(m + BlobFormat.Metadata.nameOffset), length: base.u32(m + BlobFormat.Metadata.nameLength))
    }

    /// Format version of the blob.
    public var formatVersion: UInt32 { base.u32(BlobFormat.Header.version) }

    /// The activation tensor `index` (< `tensorCount`).
    public func tensor(_ index: Int) -> TensorDescription {
        let r = layout.tensors.offset + index * BlobFormat.TensorRecord.size
        typealias T = BlobFormat.TensorRecord
        return TensorDescription(
            shape: TensorShape(height: Int(base.u32(r + T.height)), width: Int(base.u32(r + T.width)), channels: Int(base.u32(r + T.channels))),
            layout: TensorLayout(rawValue: base.u32(r + T.layout))!,
            zeroPoint: base.i32(r + T.zeroPoint), scale: base.f32(r + T.scale),
            arenaOffset: narrow(base.u64(r + T.arenaOffset)))
    }

    /// The operation `index` (< `opCount`), in execution order.
    public func op(_ index: Int) -> OpDescription {
        let r = layout.ops.offset + index * BlobFormat.OpRecord.size
        typealias O = BlobFormat.OpRecord
        let kind = OpKind(rawValue: base.u16(r + O.opcode))!
        return OpDescription(
            kind: kind,
            rounding: RoundingMode(rawValue: base.u8(r + O.rounding))!,
            padding: kind == .pad ? .valid : Padding(rawValue: base.u8(r + O.padding))!,
            input: Int(base.u32(r + O.input)), output: Int(base.u32(r + O.output)),
            outputLength: kind == .fullyConnectedAccumulators ? Int(base.u32(r + O.outputLength)) : 0,
            secondInput: kind == .add ? Int(base.u32(r + O.secondInput)) : 0,
            kernelHeight: Int(base.u8(r + O.kernelHeight)), kernelWidth: Int(base.u8(r + O.kernelWidth)),
            strideHeight: Int(base.u8(r + O.strideHeight)), strideWidth: Int(base.u8(r + O.strideWidth)),
            outputMin: kind == .pad ? 0 : base.i32(r + O.outputMin), outputMax: kind == .pad ? 0 : base.i32(r + O.outputMax),
            padTop: kind == .pad ? Int(base.u32(r + O.padTop)) : 0, padLeft: kind == .pad ? Int(base.u32(r + O.padLeft)) : 0,
            padChannels: kind == .pad ? Int(base.u32(r + O.padChannels)) : 0,
            padValues: kind == .pad && base.u8(r + O.padFill) == 1,
            weightsOffset: narrow(base.u64(r + O.weights)), biasOffset: narrow(base.u64(r + O.bias)),
            multipliersOffset: narrow(base.u64(r + O.multipliers)), shiftsOffset: narrow(base.u64(r + O.shifts)),
            recordOffset: r,
            isWide: tensorLayout(Int(base.u32(r + O.input))) == .nhwcInt16
                || (kind != .fullyConnectedAccumulators && tensorLayout(Int(base.u32(r + O.output))) == .nhwcInt16))
    }

    /// The element type of tensor `index` (< `tensorCount`).
    @inlinable
    public func tensorLayout(_ index: Int) -> TensorLayout {
        TensorLayout(rawValue: base.u32(layout.tensors.offset + index * BlobFormat.TensorRecord.size + BlobFormat.TensorRecord.layout))!
    }

    /// The head `index` (< `headCount`).
    public func head(_ index: Int) -> HeadDescription {
        let r = layout.heads.offset + index * BlobFormat.HeadRecord.size
        typealias H = BlobFormat.HeadRecord
        return HeadDescription(
            kind: HeadKind(rawValue: base.u32(r + H.kind))!,
            name: string(offset: base.u32(r + H.nameOffset), length: base.u32(r + H.nameLength)),
            firstOutput: Int(base.u32(r + H.firstOutput)), outputCount: Int(base.u32(r + H.outputCount)))
    }

    /// Dequantisation scale of head output `index` (< `outputCount`): `real = scale * accumulator`.
    public func outputScale(_ index: Int) -> Float {
        base.f32(layout.outputs.offset + index * BlobFormat.OutputRecord.size + BlobFormat.OutputRecord.scale)
    }

    /// The bin value of head output `index` in an expected-value head (`HeadKind.expectedValue`), 0 elsewhere.
    public func outputValue(_ index: Int) -> Float {
        base.f32(layout.outputs.offset + index * BlobFormat.OutputRecord.size + BlobFormat.OutputRecord.value)
    }

    /// The per-channel values of pad op `index` (one per output channel), or nil for a pad of the
    /// zero point (or another op).
    public func padValues(op index: Int) -> UnsafeBufferPointer<Int8>? {
        let o = op(index)
        guard o.padValues else { return nil }
        let start = (base + layout.weights.offset + o.weightsOffset).assumingMemoryBound(to: Int8.self)
        return UnsafeBufferPointer(start: start, count: tensor(o.output).shape.channels)
    }

    /// Label of head output `index` (an attribute name, UTF-8).
    public func outputLabel(_ index: Int) -> UnsafeRawBufferPointer {
        let r = layout.outputs.offset + index * BlobFormat.OutputRecord.size
        return string(offset: base.u32(r + BlobFormat.OutputRecord.labelOffset), length: base.u32(r + BlobFormat.OutputRecord.labelLength))
    }

    /// Where op `index`'s output starts in the debug layer-output buffer, and its length, in
    /// bytes (0 for ops that write head outputs; an int16 output's elements take 2 bytes each,
    /// little-endian on every supported target).
    public func layerOutputRange(op index: Int) -> (offset: Int, count: Int) {
        var offset = 0
        for i in 0..<index { offset += int8OutputByteCount(op(i)) }
        return (offset, int8OutputByteCount(op(index)))
    }

    /// Multiply-accumulates op `index` performs per inference (additions, for pools and adds). In 64 bits:
    /// a validated op can exceed a 32-bit `Int`.
    public func multiplyAccumulates(op index: Int) -> UInt64 {
        let o = op(index)
        let inCount = wide(tensor(o.input).shape.elementCount)
        let taps = wide(o.kernelHeight * o.kernelWidth)
        switch o.kind {
        case .conv2D:
            return wide(tensor(o.output).shape.elementCount) * taps * wide(tensor(o.input).shape.channels)
        case .depthwiseConv2D:
            return wide(tensor(o.output).shape.elementCount) * taps
        case .maxPool2x2, .averagePool2x2:
            return wide(tensor(o.output).shape.elementCount) * 4
        case .maxPool:
            return wide(tensor(o.output).shape.elementCount) * taps
        case .globalAveragePool, .add:
            return inCount
        case .pad:
            return 0
        case .fullyConnected:
            return wide(tensor(o.output).shape.elementCount) * inCount
        case .fullyConnectedAccumulators:
            let head = headDimensions(o)
            return wide(o.outputLength) * wide(head.inputs)
        }
    }

    /// Weights and biases op `index` stores (int8 weights plus int32 biases).
    public func parameterCount(op index: Int) -> UInt64 {
        let o = op(index)
        let inShape = tensor(o.input).shape
        let taps = wide(o.kernelHeight * o.kernelWidth)
        switch o.kind {
        case .conv2D:
            return wide(tensor(o.output).shape.channels) * (taps * wide(inShape.channels) + 1)
        case .depthwiseConv2D:
            return wide(inShape.channels) * (taps + 1)
        case .maxPool2x2, .maxPool, .averagePool2x2, .globalAveragePool, .add, .pad:
            return 0
        case .fullyConnected:
            return wide(tensor(o.output).shape.channels) * (wide(inShape.elementCount) + 1)
        case .fullyConnectedAccumulators:
            let head = headDimensions(o)
            return wide(head.outputs) * (wide(head.inputs) + 1)
        }
    }

    /// Head op `o` (`fullyConnectedAccumulators`) as `places` dot products of `inputs` terms
    /// for each of `outputs` weight rows: one place of the whole input tensor, or, per place
    /// (`OpDescription.isPerPlace`), every pixel of it with its channels.
    @inlinable
    public func headDimensions(_ o: OpDescription) -> (places: Int, inputs: Int, outputs: Int) {
        let shape = tensor(o.input).shape
        guard o.isPerPlace else { return (1, shape.elementCount, o.outputLength) }
        let places = shape.height * shape.width
        return (places, shape.channels, o.outputLength / places)
    }

    @usableFromInline
    func int8OutputByteCount(_ o: OpDescription) -> Int {
        o.kind == .fullyConnectedAccumulators ? 0 : tensor(o.output).byteCount
    }

    @usableFromInline
    func string(offset: UInt32, length: UInt32) -> UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(start: base + layout.strings.offset + Int(offset), count: Int(length))
    }
}

/// Where each section of a validated blob lies (byte offsets from the blob's start).
@usableFromInline
struct SectionLayout: Sendable {
    @usableFromInline var metadata = ByteRange()
    @usableFromInline var strings = ByteRange()
    @usableFromInline var tensors = ByteRange()
    @usableFromInline var ops = ByteRange()
    @usableFromInline var weights = ByteRange()
    @usableFromInline var heads = ByteRange()
    @usableFromInline var outputs = ByteRange()

    @usableFromInline init() {}
}

@usableFromInline
struct ByteRange: Sendable {
    @usableFromInline var offset = 0
    @usableFromInline var length = 0
    @usableFromInline init() {}
}

/// The image a model takes: `height x width` pixels of `pixelFormat`, row-major, written to the
/// input tensor as int8 `q = pixel XOR 0x80` (zero point 0, real value `scale * q`).
public struct ModelInput: Sendable, Equatable {
    public var height: Int
    public var width: Int
    public var channels: Int
    public var pixelFormat: PixelFormat
    public var scale: Float
    public var zeroPoint: Int32

    /// Bytes of one input image.
    public var byteCount: Int { height * width * channels }
}

/// One activation tensor of a model (int8, or int16 from format version 5).
public struct TensorDescription: Sendable, Equatable {
    public var shape: TensorShape
    public var layout: TensorLayout
    public var zeroPoint: Int32
    public var scale: Float
    /// Offset of the tensor's first byte in the arena.
    public var arenaOffset: Int

    /// Bytes of the tensor in the arena (elements times `layout.elementSize`).
    @inlinable
    public var byteCount: Int { shape.elementCount * layout.elementSize }
}

/// One operation of a model, decoded from its record. Offsets of weights, bias, multipliers and
/// shifts are relative to the weights section (an add's three requantisations: input 1, input 2,
/// output); fields an op does not use are zero.
public struct OpDescription: Sendable, Equatable {
    public var kind: OpKind
    public var rounding: RoundingMode
    public var padding: Padding
    /// Input tensor index.
    public var input: Int
    /// Output tensor index, or the first head output written by `fullyConnectedAccumulators`.
    public var output: Int
    /// Number of int32 accumulators (`fullyConnectedAccumulators` only; per place, all places' together).
    public var outputLength: Int
    /// The second input tensor (`add` only).
    public var secondInput: Int
    public var kernelHeight: Int
    public var kernelWidth: Int
    public var strideHeight: Int
    public var strideWidth: Int
    /// Fused activation, as a clamp of the quantized output.
    public var outputMin: Int32
    public var outputMax: Int32
    /// Rows, columns and channels a `pad` puts before its input (the amounts after follow from
    /// the output's shape).
    public var padTop: Int
    public var padLeft: Int
    public var padChannels: Int
    /// A `pad` whose padded cells hold per-channel values (one int8 per output channel at
    /// `weightsOffset`) instead of the zero point (version 3).
    public var padValues: Bool
    public var weightsOffset: Int
    public var biasOffset: Int
    public var multipliersOffset: Int
    public var shiftsOffset: Int
    /// Offset of the op's record in the blob.
    public var recordOffset: Int
    /// A 16x8 op (format version 5): its input or output tensor is int16, so it runs the
    /// `KernelSet` wide kernels (docs/quantization.md "16-bit activations").
    public var isWide: Bool

    /// A head whose accumulators come from a 1x1 convolution at every place of its input
    /// (kernel 1x1; format version 4), not from a fully connected layer over all of it.
    @inlinable
    public var isPerPlace: Bool { kind == .fullyConnectedAccumulators && kernelHeight == 1 }
}

/// One head of a model: a contiguous run of int32 outputs.
public struct HeadDescription: @unchecked Sendable {
    public var kind: HeadKind
    /// The head's name (UTF-8).
    public var name: UnsafeRawBufferPointer
    public var firstOutput: Int
    public var outputCount: Int
}

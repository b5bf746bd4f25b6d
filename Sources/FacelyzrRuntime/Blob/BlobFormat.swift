// The model-blob format, versions 1 to 5, defined once: the reader (Model) and the writer
// (FacelyzrBlobBuilder) both use these constants. docs/blob-format.md describes it.
// All integers are little-endian; records are read with unaligned-safe loads.

/// Constants and field offsets of the model-blob format (docs/blob-format.md).
public enum BlobFormat {
    /// The 8 bytes every blob starts with, ASCII `FACELYZR`, read as a little-endian u64.
    public static let magic: UInt64 = 0x525A_594C_4543_4146
    /// The newest format version this runtime writes. It opens every version in `supportedVersions`;
    /// a writer stamps the lowest version whose ops and heads the blob uses (`OpKind.minimumVersion`,
    /// `HeadKind.minimumVersion`), so a model without the ops or heads of a newer version stays
    /// readable by older runtimes.
    public static let currentVersion: UInt32 = 5
    /// Format versions this runtime opens.
    public static let supportedVersions: ClosedRange<UInt32> = 1...5
    /// Stored little-endian as bytes `0D 0C 0B 0A`; a big-endian writer would produce another value.
    public static let endiannessMark: UInt32 = 0x0A0B_0C0D
    /// Minimum alignment of every section, relative to the start of the blob (which must itself
    /// be 16-byte aligned in memory), so a mapped file is used in place.
    public static let minimumSectionAlignment: UInt32 = 16
    /// Alignment of every activation's offset in the arena.
    public static let arenaAlignment: UInt64 = 16
    /// Longest dot product (terms) a layer may compute: int32 accumulators cannot overflow below it.
    public static let maximumDotProductLength: UInt64 = 65_536
    /// Largest height, width or channel count of a tensor.
    public static let maximumDimension: UInt32 = 65_535
    /// Largest tensor, in bytes.
    public static let maximumTensorByteCount: UInt64 = 1_073_741_824
    /// Largest arena, in bytes (fits a 32-bit `Int`).
    public static let maximumArenaByteCount: UInt64 = 0x7FFF_FFFF
    /// Largest scale (input, tensor or head output): `Float.greatestFiniteMagnitude` x 2^-31, so
    /// `scale` x 2^31 is finite and every dequantised value, `scale` x an int32 accumulator or
    /// an int8 value less its zero point, is finite (docs/blob-format.md "Validation").
    public static let maximumScale: Float = 0x1.fffffep96
    /// Largest magnitude of an expected-value head's bin value: `Float.greatestFiniteMagnitude / 2`,
    /// so `sum p_i * value_i` (probabilities summing to 1 up to rounding) is finite.
    public static let maximumBinValue: Float = 0x1.fffffep126
    /// Largest magnitude of a 16x8 op's int64 bias (docs/quantization.md "16-bit activations"):
    /// with dot products of at most 2^16 terms of |w| <= 127 and |x - zp| <= 2^16, every
    /// accumulator stays below 2^47 in magnitude, TFLite's bound for `MultiplyByQuantizedMultiplier`.
    public static let maximumWideBias: Int64 = 0x4000_0000_0000  // 2^46 (a literal: `Int64 << Int` allocates on 32-bit targets)
    /// Largest convolution kernel side of version 1 and 2 blobs; from version 3, `maximumKernel`.
    public static let maximumKernelVersion2 = 5
    /// Largest convolution and max pool kernel side (and max pool stride) from version 3.
    public static let maximumKernel = 7
    /// Bounds on table lengths, so validation time stays bounded on hostile input.
    public static let maximumSectionCount: UInt32 = 64
    public static let maximumOpCount = 4096
    public static let maximumTensorCount = 4097
    public static let maximumOutputCount = 65_536

    /// The fixed header at offset 0, followed by the section table.
    public enum Header {
        public static let size = 64
        public static let magic = 0            // 8 bytes
        public static let version = 8          // u32
        public static let endiannessMark = 12  // u32
        public static let headerSize = 16      // u32: header + section table, = size + sectionCount * SectionEntry.size
        public static let sectionCount = 20    // u32
        public static let fileSize = 24        // u64: the whole blob
        public static let headerChecksum = 32  // u32: CRC-32 of bytes [0, headerSize) with this field zeroed
        public static let payloadChecksum = 36 // u32: CRC-32 of bytes [headerSize, fileSize)
        public static let flags = 40           // u32: reserved, 0 in version 1
        public static let reserved = 44        // 20 bytes of zero
    }

    /// One entry of the section table (which starts at `Header.size`).
    public enum SectionEntry {
        public static let size = 32
        public static let kind = 0       // u32: SectionKind raw value
        public static let flags = 4      // u32: SectionFlags
        public static let offset = 8     // u64: from the start of the blob
        public static let length = 16    // u64
        public static let alignment = 24 // u32: power of two >= 16; offset is a multiple of it
        public static let reserved = 28  // u32: 0
    }

    /// Section flags.
    public enum SectionFlags {
        /// A reader that does not know the section's kind may ignore it (e.g. per-ISA packed
        /// weights). Unknown sections without this flag make the blob unreadable.
        public static let optional: UInt32 = 1
    }

    /// The model metadata section (`SectionKind.metadata`), exactly `size` bytes.
    public enum Metadata {
        public static let size = 64
        public static let nameOffset = 0      // u32, in the strings section
        public static let nameLength = 4      // u32
        public static let inputHeight = 8     // u32
        public static let inputWidth = 12     // u32
        public static let inputChannels = 16  // u32
        public static let pixelFormat = 20    // u32: PixelFormat
        public static let inputScale = 24     // f32
        public static let inputZeroPoint = 28 // i32: 0 (q = pixel XOR 0x80)
        public static let inputTensor = 32    // u32: tensor index the pixels are written to
        public static let reserved0 = 36      // u32: 0
        public static let arenaByteCount = 40 // u64
        public static let reserved1 = 48      // 16 bytes of zero
    }

    /// One record of the tensors section: an int8 activation in the arena.
    public enum TensorRecord {
        public static let size = 32
        public static let height = 0       // u32
        public static let width = 4        // u32
        public static let channels = 8     // u32
        public static let layout = 12      // u32: TensorLayout (1, int16, from version 5)
        public static let zeroPoint = 16   // i32
        public static let scale = 20       // f32
        public static let arenaOffset = 24 // u64: multiple of arenaAlignment
    }

    /// One record of the ops section. Fields an op does not use are zero.
    public enum OpRecord {
        public static let size = 64
        public static let opcode = 0         // u16: OpKind
        public static let rounding = 2       // u8: RoundingMode
        public static let fusion = 3         // u8: 0 in version 1 (reserved for fused ops)
        public static let input = 4          // u32: tensor index
        public static let output = 8         // u32: tensor index, or first head output for accumulators
        public static let kernelHeight = 12  // u8 (a head: 0 fully connected, 1 a 1x1 convolution at every place, version 4)
        public static let kernelWidth = 13   // u8
        public static let strideHeight = 14  // u8
        public static let strideWidth = 15   // u8
        public static let padding = 16       // u8: Padding
        public static let weightLayout = 17  // u8: WeightLayout
        public static let reserved0 = 18     // u16: 0
        public static let outputMin = 20     // i32: fused activation clamp
        public static let outputMax = 24     // i32
        public static let outputLength = 28  // u32: number of int32 accumulators (accumulator ops only)
        public static let secondInput = 28   // u32: add's second input tensor (version 2; the offset of outputLength, which add does not use)
        public static let padTop = 20        // u32: pad's rows before the input (version 2; the offset of outputMin, which pad does not use)
        public static let padLeft = 24       // u32: pad's columns before the input (the offset of outputMax)
        public static let padChannels = 28   // u32: pad's channels before the input (the offset of outputLength)
        public static let padFill = 16       // u8: pad's fill (version 3; the offset of padding): 0 the zero point, 1 per-channel values at `weights`
        public static let weights = 32       // u64: offsets in the weights section
        public static let bias = 40          // u64
        public static let multipliers = 48   // u64
        public static let shifts = 56        // u64
    }

    /// One record of the heads section.
    public enum HeadRecord {
        public static let size = 32
        public static let kind = 0         // u32: HeadKind
        public static let nameOffset = 4   // u32
        public static let nameLength = 8   // u32
        public static let firstOutput = 12 // u32
        public static let outputCount = 16 // u32
        public static let reserved = 20    // 12 bytes of zero
    }

    /// One record of the outputs section: how one int32 head output is dequantised and named.
    public enum OutputRecord {
        public static let size = 16
        public static let scale = 0        // f32: s_in * s_w[c]
        public static let labelOffset = 4  // u32, in the strings section
        public static let labelLength = 8  // u32
        public static let reserved = 12    // u32: 0, except in an expected-value head (version 3)
        public static let value = 12       // f32: the bin's value in an `expectedValue` head (version 3; the offset of reserved)
    }
}

/// Kinds of sections (raw values 1...7, contiguous). Every kind listed is required; other kinds must carry `SectionFlags.optional`.
public enum SectionKind: UInt32, Sendable {
    case metadata = 1
    case strings = 2
    case tensors = 3
    case ops = 4
    case weights = 5
    case heads = 6
    case outputs = 7

    /// Section kinds reserved for per-ISA packed weights (always optional): `packedWeightsBase + isa`.
    public static let packedWeightsBase: UInt32 = 0x100
}

/// Byte order and meaning of the input pixels.
public enum PixelFormat: UInt32, Sendable {
    /// One byte per pixel, gray.
    case gray8 = 0
    /// Three bytes per pixel, red, green, blue.
    case rgb8 = 1

    /// Channels a pixel has in this format.
    public var channels: Int { self == .gray8 ? 1 : 3 }
}

/// Memory layout and element type of an activation tensor.
public enum TensorLayout: UInt32, Sendable {
    /// Batch 1, height, width, channels; int8.
    case nhwcInt8 = 0
    /// Batch 1, height, width, channels; int16, zero point 0 (format version 5; the 16x8 ops of
    /// docs/quantization.md "16-bit activations").
    case nhwcInt16 = 1

    /// Bytes of one element.
    @inlinable
    public var elementSize: Int { self == .nhwcInt16 ? 2 : 1 }

    /// The first format version that has this layout.
    @inlinable
    public var minimumVersion: UInt32 { self == .nhwcInt16 ? 5 : 1 }
}

/// Layout of an op's weights in the weights section.
public enum WeightLayout: UInt8, Sendable {
    /// conv2d OHWI, depthwise HWC, fully connected OI (row per output). Other values are reserved
    /// for per-ISA packed layouts.
    case canonical = 0
}

/// The operations of format versions 1 to 5 (from version 5, on int16 tensors too: docs/quantization.md "16-bit activations").
public enum OpKind: UInt16, Sendable {
    /// 2-D convolution, kernel 1...5 (1...7 from version 3), stride 1 or 2, same or valid padding, clamp.
    case conv2D = 1
    /// 3x3 depthwise convolution (depth multiplier 1), stride 1 or 2, same or valid, clamp.
    case depthwiseConv2D = 2
    /// 2x2 stride-2 max pool (valid).
    case maxPool2x2 = 3
    /// 2x2 stride-2 average pool (valid).
    case averagePool2x2 = 4
    /// Mean over height and width.
    case globalAveragePool = 5
    /// Fully connected with int8 output.
    case fullyConnected = 6
    /// Fully connected whose int32 accumulators are head outputs (not requantised). With kernel
    /// and strides 1x1 (version 4; `OpDescription.isPerPlace`), a 1x1 convolution instead: the
    /// fully connected op over the channels at every place of its input, accumulators per place,
    /// per output channel, row-major HWC (docs/quantization.md "Heads").
    case fullyConnectedAccumulators = 7
    /// Element-wise add of two int8 tensors of one shape, TFLite ADD int8 (version 2).
    case add = 8
    /// Zero padding of rows, columns and channels: the input copied into a larger output whose
    /// other cells hold the zero point (real zero); keeps the input's scale and zero point (version 2).
    case pad = 9
    /// Max pool of a kernel 1...7 x 1...7, stride 1...7, same or valid, clamp; keeps the input's
    /// scale and zero point (TFLite MAX_POOL_2D int8; version 3).
    case maxPool = 10

    /// The first format version that has this op.
    @inlinable
    public var minimumVersion: UInt32 {
        switch self {
        case .add, .pad: 2
        case .maxPool: 3
        default: 1
        }
    }
}

/// What a head predicts and how its outputs become predictions (docs/quantization.md "Heads").
public enum HeadKind: UInt32, Sendable {
    /// One output; probability `sigmoid(scale * accumulator)`.
    case binary = 0
    /// Values `scale * accumulator` (e.g. age in years).
    case regression = 1
    /// Independent probabilities `sigmoid(scale * accumulator)`, one per label.
    case multiLabel = 2
    /// Classes, one output each (at least 2): probabilities `softmax(scale * accumulator)` over the
    /// head; the decision is the most probable class (version 3).
    case softmax = 3
    /// Bins, one output each (at least 2), with a value per bin in the output record: the bins'
    /// softmax probabilities, and their expected value `sum p_i * value_i` as the head's value (an
    /// age over 81 one-year bins; version 3).
    case expectedValue = 4
    /// Values `scale * accumulator` that the host decodes itself (a detector's box and score
    /// tensors; version 3).
    case raw = 5

    /// The first format version that has this head kind.
    @inlinable
    public var minimumVersion: UInt32 { rawValue >= 3 ? 3 : 1 }
}

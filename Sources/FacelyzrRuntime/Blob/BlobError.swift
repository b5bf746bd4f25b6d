/// Why a blob cannot be opened, and where. Offsets are bytes from the start of the blob.
public enum BlobError: Error, Equatable, Sendable {
    /// The buffer ends before `needed` bytes (it has `available`).
    case truncated(needed: UInt64, available: UInt64)
    /// The blob's first byte is not 16-byte aligned in memory (map the file or copy it into aligned storage).
    case misalignedBuffer
    /// The first 8 bytes are not `FACELYZR`.
    case badMagic
    /// A format version this runtime does not open.
    case unsupportedVersion(UInt32)
    /// The endianness mark is not `BlobFormat.endiannessMark` read little-endian.
    case wrongEndianness(mark: UInt32)
    /// The header size does not match the section count (or the section count is out of bounds).
    case badHeaderSize(headerSize: UInt32, sectionCount: UInt32)
    /// The header's file size differs from the buffer's length.
    case fileSizeMismatch(declared: UInt64, actual: UInt64)
    case headerChecksumMismatch(stored: UInt32, computed: UInt32)
    case payloadChecksumMismatch(stored: UInt32, computed: UInt32)
    /// A reserved field or flag (at `offset`) is not zero.
    case reservedNotZero(offset: UInt64)
    /// A section lies outside the payload, or its end overflows.
    case sectionOutOfBounds(kind: UInt32, offset: UInt64, length: UInt64)
    /// A section's alignment is not a power of two >= 16, or its offset is not a multiple of it.
    case sectionMisaligned(kind: UInt32, offset: UInt64, alignment: UInt32)
    case sectionsOverlap(kind: UInt32, otherKind: UInt32)
    case duplicateSection(kind: UInt32)
    case missingSection(SectionKind)
    /// A section kind this runtime does not know, without the optional flag.
    case unknownRequiredSection(kind: UInt32)
    /// A section's length is not what its records need (`expected` is a multiple of the record size, or the exact size).
    case badSectionLength(SectionKind, length: UInt64)
    /// A field (at `offset`, inside `section`) holds a value outside what it may be.
    case invalidField(BlobField, section: SectionKind, offset: UInt64, value: Int64)
    /// An opcode this runtime does not know (record at `offset`).
    case unknownOp(code: UInt16, offset: UInt64)
    /// The op's output tensor is not the shape its input and parameters give.
    case shapeMismatch(op: Int, expected: TensorShape, actual: TensorShape)
    /// The op's output tensor does not keep its input's scale and zero point (pools).
    case quantizationMismatch(op: Int)
    /// A dot product (or pooled sum) longer than `BlobFormat.maximumDotProductLength`.
    case dotProductTooLong(op: Int, terms: UInt64)
    /// A tensor does not fit in the arena (or is larger than the format allows).
    case tensorOutOfArena(tensor: Int, offset: UInt64, byteCount: UInt64, arenaByteCount: UInt64)
    /// An op reads a tensor no earlier op wrote (and that is not the model input).
    case tensorNotProduced(op: Int, tensor: Int)
    /// An op writes a tensor already written (or the model input).
    case tensorWrittenTwice(op: Int, tensor: Int)
    /// `writer` overwrites arena bytes of `tensor` before op `reader` reads them: the arena plan is wrong.
    case arenaConflict(tensor: Int, writer: Int, reader: Int)
    /// An op's weights, bias, multipliers or shifts lie outside the weights section or are misaligned.
    case weightsOutOfBounds(op: Int, offset: UInt64, byteCount: UInt64)
    /// A weight of `op` is -128 (weights are in [-127, 127]).
    case weightOutOfRange(op: Int, offset: UInt64)
    /// A requantization multiplier is negative or a shift outside [-31, 30].
    case badRequantization(op: Int, channel: Int, multiplier: Int32, shift: Int32)
    /// A string lies outside the strings section.
    case stringOutOfBounds(offset: UInt64, length: UInt64)
    /// A name or label is not valid UTF-8 (`offset` is the first bad byte).
    case invalidUTF8(offset: UInt64)
    /// All int8 op outputs together (the debug `layerOutputs` buffer) exceed 2^31 - 1 bytes.
    case layerOutputsTooLarge(byteCount: UInt64)
    /// Head outputs are not covered exactly once, in order (by heads and by accumulator ops).
    case outputsNotCovered(index: Int)
}

/// Names of the fields `BlobError.invalidField` reports.
public enum BlobField: Sendable, Equatable {
    case dimension, pixelFormat, inputScale, inputZeroPoint, inputTensor, inputShape, arenaByteCount
    case tensorLayout, zeroPoint, scale, arenaOffset
    case opInput, opOutput, rounding, fusion, kernelSize, stride, padding, weightLayout, clamp, unusedField
    case headKind, headOutputs, outputScale, outputValue
    /// A 16x8 op's int64 bias beyond `BlobFormat.maximumWideBias` in magnitude (version 5).
    case bias
}

// The status codes of facelyzr.h and how each `BlobError` maps to one, with the blob byte
// offset and the op/tensor/output index it names. The numbers are part of the C ABI:
// never renumber, only append (and add the same `FZ_ERROR_` macro to facelyzr.h).
import FacelyzrRuntime

/// `fz_status` values; facelyzr.h defines the same numbers as `FZ_OK` / `FZ_ERROR_...` macros.
public enum CStatus: Int32, Sendable {
    case ok = 0
    case storageTooSmall = 1
    case truncated = 2
    case misalignedBuffer = 3
    case badMagic = 4
    case unsupportedVersion = 5
    case wrongEndianness = 6
    case badHeaderSize = 7
    case fileSizeMismatch = 8
    case headerChecksumMismatch = 9
    case payloadChecksumMismatch = 10
    case reservedNotZero = 11
    case sectionOutOfBounds = 12
    case sectionMisaligned = 13
    case sectionsOverlap = 14
    case duplicateSection = 15
    case missingSection = 16
    case unknownRequiredSection = 17
    case badSectionLength = 18
    case invalidField = 19
    case unknownOp = 20
    case shapeMismatch = 21
    case quantizationMismatch = 22
    case dotProductTooLong = 23
    case tensorOutOfArena = 24
    case tensorNotProduced = 25
    case tensorWrittenTwice = 26
    case arenaConflict = 27
    case weightsOutOfBounds = 28
    case weightOutOfRange = 29
    case badRequantization = 30
    case stringOutOfBounds = 31
    case outputsNotCovered = 32
    case layerOutputsTooLarge = 33
    case invalidUTF8 = 34
    case notFaceDetector = 35
    case noWindowFits = 36
    case invalidFrame = 37
    case invalidTrackerSetting = 38
    case invalidLevels = 39
    case frameTooLarge = 40

    /// The static, NUL-terminated text `fz_error_message` returns.
    public var message: StaticString {
        switch self {
        case .ok: "ok"
        case .storageTooSmall: "fz_model storage is smaller than the library's model (facelyzr.h and libfacelyzr.a differ)"
        case .truncated: "the blob ends before its header or a section says it should"
        case .misalignedBuffer: "the blob's first byte is not 16-byte aligned in memory"
        case .badMagic: "not a Facelyzr blob (the first 8 bytes are not FACELYZR)"
        case .unsupportedVersion: "a blob format version this runtime does not open"
        case .wrongEndianness: "the endianness mark is wrong (not a little-endian blob)"
        case .badHeaderSize: "the header size does not match the section count"
        case .fileSizeMismatch: "the header's file size differs from the blob's length"
        case .headerChecksumMismatch: "header checksum mismatch (corrupted blob)"
        case .payloadChecksumMismatch: "payload checksum mismatch (corrupted blob)"
        case .reservedNotZero: "a reserved field or flag is not zero"
        case .sectionOutOfBounds: "a section lies outside the blob"
        case .sectionMisaligned: "a section is misaligned"
        case .sectionsOverlap: "two sections overlap"
        case .duplicateSection: "a section appears twice"
        case .missingSection: "a required section is missing"
        case .unknownRequiredSection: "a required section of a kind this runtime does not know"
        case .badSectionLength: "a section's length does not fit its records"
        case .invalidField: "a field holds a value outside its range"
        case .unknownOp: "an operation this runtime does not know"
        case .shapeMismatch: "an operation's output shape does not follow from its input and parameters"
        case .quantizationMismatch: "a pool's output does not keep its input's scale and zero point"
        case .dotProductTooLong: "a dot product is longer than 65536 terms (int32 accumulators could overflow)"
        case .tensorOutOfArena: "a tensor does not fit in the arena"
        case .tensorNotProduced: "an operation reads a tensor no earlier operation wrote"
        case .tensorWrittenTwice: "an operation writes a tensor that was already written"
        case .arenaConflict: "the arena plan overwrites a tensor before it is read"
        case .weightsOutOfBounds: "an operation's weights lie outside the weights section or are misaligned"
        case .weightOutOfRange: "a weight is -128 (weights are in [-127, 127])"
        case .badRequantization: "a requantization multiplier is negative or a shift is outside [-31, 30]"
        case .stringOutOfBounds: "a string lies outside the strings section"
        case .outputsNotCovered: "the head outputs are not each written exactly once, in order"
        case .layerOutputsTooLarge: "all layer outputs together (the debug predict's buffer) exceed 2^31 - 1 bytes"
        case .invalidUTF8: "a name or label is not valid UTF-8"
        case .notFaceDetector: "the model is not a face / not-face model (one binary output over a square gray input)"
        case .noWindowFits: "the frame is smaller than the smallest face the detector searches"
        case .invalidFrame: "the frame's format, size, planes or strides are invalid, or do not fit the detector or model"
        case .invalidTrackerSetting: "a tracker setting is out of range (capacity, IoU, smoothing, frames missed) or its storage is not 16-byte aligned"
        case .invalidLevels: "the pyramid levels asked for are not within 0 to fz_detector_level_count (first <= end)"
        case .frameTooLarge: "the frame is too large for the detector: its first pyramid level or its window count exceeds the localiser's limits"
        }
    }
}

/// A C status code with where it applies: `offset` is a byte offset in the blob and `index`
/// the op, tensor or head output the error names (each 0 / -1 when none applies).
public struct CError: Sendable, Equatable {
    public var status: CStatus
    public var offset: UInt64
    public var index: Int64

    public init(status: CStatus, offset: UInt64 = 0, index: Int64 = -1) {
        self.status = status
        self.offset = offset
        self.index = index
    }

    public init(_ error: BlobError) {
        typealias H = BlobFormat.Header
        switch error {
        case .truncated(_, let available): self.init(status: .truncated, offset: available)
        case .misalignedBuffer: self.init(status: .misalignedBuffer)
        case .badMagic: self.init(status: .badMagic, offset: unsigned(H.magic))
        case .unsupportedVersion: self.init(status: .unsupportedVersion, offset: unsigned(H.version))
        case .wrongEndianness: self.init(status: .wrongEndianness, offset: unsigned(H.endiannessMark))
        case .badHeaderSize: self.init(status: .badHeaderSize, offset: unsigned(H.headerSize))
        case .fileSizeMismatch: self.init(status: .fileSizeMismatch, offset: unsigned(H.fileSize))
        case .headerChecksumMismatch: self.init(status: .headerChecksumMismatch, offset: unsigned(H.headerChecksum))
        case .payloadChecksumMismatch: self.init(status: .payloadChecksumMismatch, offset: unsigned(H.payloadChecksum))
        case .reservedNotZero(let offset): self.init(status: .reservedNotZero, offset: offset)
        case .sectionOutOfBounds(_, let offset, _): self.init(status: .sectionOutOfBounds, offset: offset)
        case .sectionMisaligned(_, let offset, _): self.init(status: .sectionMisaligned, offset: offset)
        case .sectionsOverlap: self.init(status: .sectionsOverlap)
        case .duplicateSection: self.init(status: .duplicateSection)
        case .missingSection: self.init(status: .missingSection)
        case .unknownRequiredSection: self.init(status: .unknownRequiredSection)
        case .badSectionLength: self.init(status: .badSectionLength)
        case .invalidField(_, _, let offset, _): self.init(status: .invalidField, offset: offset)
        case .unknownOp(_, let offset): self.init(status: .unknownOp, offset: offset)
        case .shapeMismatch(let op, _, _): self.init(status: .shapeMismatch, index: signed(op))
        case .quantizationMismatch(let op): self.init(status: .quantizationMismatch, index: signed(op))
        case .dotProductTooLong(let op, _): self.init(status: .dotProductTooLong, index: signed(op))
        case .tensorOutOfArena(let tensor, _, _, _): self.init(status: .tensorOutOfArena, index: signed(tensor))
        case .tensorNotProduced(let op, _): self.init(status: .tensorNotProduced, index: signed(op))
        case .tensorWrittenTwice(let op, _): self.init(status: .tensorWrittenTwice, index: signed(op))
        case .arenaConflict(let tensor, _, _): self.init(status: .arenaConflict, index: signed(tensor))
        case .weightsOutOfBounds(let op, let offset, _): self.init(status: .weightsOutOfBounds, offset: offset, index: signed(op))
        case .weightOutOfRange(let op, let offset): self.init(status: .weightOutOfRange, offset: offset, index: signed(op))
        case .badRequantization(let op, _, _, _): self.init(status: .badRequantization, index: signed(op))
        case .stringOutOfBounds(let offset, _): self.init(status: .stringOutOfBounds, offset: offset)
        case .outputsNotCovered(let index): self.init(status: .outputsNotCovered, index: signed(index))
        case .layerOutputsTooLarge: self.init(status: .layerOutputsTooLarge)
        case .invalidUTF8(let offset): self.init(status: .invalidUTF8, offset: offset)
        }
    }
}

// `UInt64(x)` / `Int64(x)` for a non-negative `Int`, written so that Embedded Swift compiles
// them for 32-bit targets under -no-allocations (there the generic conversions are rejected:
// swiftlang/swift#86827; see also FacelyzrRuntime's Widening.swift).
@inline(__always) func unsigned(_ x: Int) -> UInt64 { UInt64(_truncatingBits: UInt(bitPattern: x)) }
@inline(__always) func signed(_ x: Int) -> Int64 { Int64(_truncatingBits: UInt(bitPattern: x)) }

@_cdecl("fz_error_message")
public func fz_error_message(_ code: Int32) -> UnsafePointer<CChar> {
    let text: StaticString = CStatus(rawValue: code)?.message ?? "unknown status code"
    return UnsafeRawPointer(text.utf8Start).assumingMemoryBound(to: CChar.self)
}

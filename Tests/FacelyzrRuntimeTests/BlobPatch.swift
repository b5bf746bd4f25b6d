import FacelyzrBlobBuilder
import FacelyzrHost
import FacelyzrRuntime

/// A built blob to corrupt in place, field by field, through the format's own offsets.
struct BlobPatch {
    var bytes: [UInt8]

    init(_ builder: BlobBuilder) { bytes = builder.build().bytes }
    init(bytes: [UInt8]) { self.bytes = bytes }

    func u32(_ offset: Int) -> UInt32 { (0..<4).reduce(0) { $0 | UInt32(bytes[offset + $1]) << (8 * $1) } }
    func u64(_ offset: Int) -> UInt64 { (0..<8).reduce(0) { $0 | UInt64(bytes[offset + $1]) << (8 * $1) } }
    mutating func set<I: FixedWidthInteger>(_ offset: Int, _ value: I) {
        for i in 0..<(I.bitWidth / 8) { bytes[offset + i] = UInt8(truncatingIfNeeded: value >> (8 * i)) }
    }

    /// Offset of the section table entry for `kind`.
    func entry(_ kind: SectionKind) -> Int {
        let count = Int(u32(BlobFormat.Header.sectionCount))
        return (0..<count).map { BlobFormat.Header.size + $0 * BlobFormat.SectionEntry.size }
            .first { u32($0 + BlobFormat.SectionEntry.kind) == kind.rawValue }!
    }
    /// Offset of the section `kind` in the blob.
    func section(_ kind: SectionKind) -> Int { Int(u64(entry(kind) + BlobFormat.SectionEntry.offset)) }
    func tensor(_ i: Int) -> Int { section(.tensors) + i * BlobFormat.TensorRecord.size }
    func op(_ i: Int) -> Int { section(.ops) + i * BlobFormat.OpRecord.size }

    /// Recomputes both checksums, so validation past them is exercised.
    mutating func seal() { BlobBuilder.sealChecksums(&bytes) }

    /// The error opening the (resealed unless `seal` is false) blob gives, or nil if it opens.
    func openError(seal: Bool = true) -> BlobError? {
        var copy = self
        if seal { copy.seal() }
        do throws(BlobError) {
            _ = try LoadedModel(bytes: copy.bytes)
            return nil
        } catch {
            return error
        }
    }
}

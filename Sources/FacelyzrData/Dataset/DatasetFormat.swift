import CImageIO

/// The packed dataset file (`samples.fzds`), version 1 or 2 (version 2 adds each record's face
/// box offset, `FaceLabels.faceBox`). All integers little-endian.
/// The layout is documented in docs/data.md "Dataset file"; this type is its only
/// implementation (the writer and the reader both go through it).
///
///     header        (headerByteCount bytes, a multiple of 16, CRC-32 in its last 4 bytes)
///     records       (recordCount x recordByteCount bytes, each ending in its CRC-32)
///     split table   (recordCount bytes: 0 train, 1 calibration, 2 test; CRC in the header)
public struct DatasetFormat: Equatable, Sendable {
    public static let magic: [UInt8] = Array("FZDS".utf8)
    /// The versions this type reads and writes: 1, and 2 with a face box offset in each record.
    public static let versions: ClosedRange<UInt32> = 1...2
    /// Bytes reserved for the UTF-8 source ID in each record (zero padded).
    public static let sourceIDByteCount = 96
    /// The attribute names the header lists: bit i of a record's attribute words is
    /// `CelebAAttribute(rawValue: i)`.
    public static let attributeNames = CelebAAttribute.allCases.map(\.name)
    /// Bytes in a version 1 record after the pixels: flags, gender, face, split, age,
    /// attribute values, attribute mask, source ID, CRC-32.
    static let labelByteCount = 4 + 4 + 8 + 8 + sourceIDByteCount + 4
    /// Bytes version 2 adds before the CRC-32: the face box offset, three Float32.
    static let faceBoxByteCount = 12
    static let fixedHeaderByteCount = 48

    public var width: Int
    public var height: Int
    public var channels: Int
    /// 1, or 2 to store face box offsets (a sample with one needs version 2).
    public var version: UInt32

    public init(width: Int, height: Int, channels: Int, version: UInt32 = 1) {
        self.width = width
        self.height = height
        self.channels = channels
        self.version = version
    }

    public var pixelByteCount: Int { width * height * channels }
    public var recordByteCount: Int { pixelByteCount + Self.labelByteCount + (version >= 2 ? Self.faceBoxByteCount : 0) }

    public var headerByteCount: Int {
        let body = Self.fixedHeaderByteCount + Self.attributeNames.reduce(0) { $0 + 2 + $1.utf8.count }
        return (body + 4 + 15) / 16 * 16
    }

    /// The byte offset of record `index`.
    public func recordOffset(_ index: Int) -> Int { headerByteCount + index * recordByteCount }

    // MARK: Header

    func encodeHeader(recordCount: Int, splitTableCRC: UInt32) -> [UInt8] {
        var bytes = Self.magic
        bytes.appendLittleEndian(version)
        bytes.appendLittleEndian(UInt32(headerByteCount))
        bytes.appendLittleEndian(UInt32(width))
        bytes.appendLittleEndian(UInt32(height))
        bytes.appendLittleEndian(UInt32(channels))
        bytes.appendLittleEndian(UInt64(recordCount))
        bytes.appendLittleEndian(UInt32(recordByteCount))
        bytes.appendLittleEndian(UInt32(Self.sourceIDByteCount))
        bytes.appendLittleEndian(UInt32(Self.attributeNames.count))
        bytes.appendLittleEndian(splitTableCRC)
        for name in Self.attributeNames {
            bytes.appendLittleEndian(UInt16(name.utf8.count))
            bytes += name.utf8
        }
        bytes += [UInt8](repeating: 0, count: headerByteCount - 4 - bytes.count)
        bytes.appendLittleEndian(crc32(bytes[...]))
        return bytes
    }

    /// The decoded header: the format, the record count and the split table's CRC-32.
    struct Header {
        var format: DatasetFormat
        var recordCount: Int
        var splitTableCRC: UInt32
    }

    /// Parses and validates a header; `prefix` holds the first bytes of the file (the whole
    /// header, or the whole file if it is shorter).
    static func decodeHeader(_ prefix: [UInt8], file: String) throws(DatasetError) -> Header {
        guard prefix.count >= fixedHeaderByteCount else {
            if prefix.count >= 4 && Array(prefix[0..<4]) != magic { throw .notADataset(file: file) }
            throw .truncated(file: file, expectedBytes: fixedHeaderByteCount, actualBytes: prefix.count)
        }
        guard Array(prefix[0..<4]) == magic else { throw .notADataset(file: file) }
        let version: UInt32 = prefix.littleEndian(at: 4)
        guard Self.versions.contains(version) else { throw .unsupportedVersion(file: file, version: version) }
        let headerByteCount = Int(prefix.littleEndian(at: 8) as UInt32)
        guard headerByteCount >= fixedHeaderByteCount + 4, headerByteCount % 16 == 0, headerByteCount <= 1 << 20 else {
            throw .corruptHeader(file: file, reason: "header size \(headerByteCount)")
        }
        guard prefix.count >= headerByteCount else {
            throw .truncated(file: file, expectedBytes: headerByteCount, actualBytes: prefix.count)
        }
        let stored: UInt32 = prefix.littleEndian(at: headerByteCount - 4)
        guard crc32(prefix[0..<headerByteCount - 4]) == stored else {
            throw .corruptHeader(file: file, reason: "header checksum mismatch")
        }
        let width = Int(prefix.littleEndian(at: 12) as UInt32)
        let height = Int(prefix.littleEndian(at: 16) as UInt32)
        let channels = Int(prefix.littleEndian(at: 20) as UInt32)
        let recordCount = prefix.littleEndian(at: 24) as UInt64
        let recordByteCount = Int(prefix.littleEndian(at: 32) as UInt32)
        let sourceIDByteCount = Int(prefix.littleEndian(at: 36) as UInt32)
        let attributeCount = Int(prefix.littleEndian(at: 40) as UInt32)
        let splitTableCRC: UInt32 = prefix.littleEndian(at: 44)
        guard (1...16_384).contains(width), (1...16_384).contains(height), channels == 1 || channels == 3 else {
            throw .corruptHeader(file: file, reason: "image shape \(width)x\(height)x\(channels)")
        }
        guard sourceIDByteCount == Self.sourceIDByteCount, attributeCount <= 64, recordCount < 1 << 40 else {
            throw .corruptHeader(file: file, reason: "record layout fields out of range")
        }
        var names: [String] = []
        var offset = fixedHeaderByteCount
        for _ in 0..<attributeCount {
            guard offset + 2 <= headerByteCount - 4 else { throw .corruptHeader(file: file, reason: "attribute names overrun the header") }
            let length = Int(prefix.littleEndian(at: offset) as UInt16)
            guard offset + 2 + length <= headerByteCount - 4 else { throw .corruptHeader(file: file, reason: "attribute names overrun the header") }
            names.append(String(decoding: prefix[offset + 2..<offset + 2 + length], as: UTF8.self))
            offset += 2 + length
        }
        guard names == attributeNames else {
            throw .corruptHeader(file: file, reason: "attribute names differ from CelebA's 40")
        }
        let format = DatasetFormat(width: width, height: height, channels: channels, version: version)
        guard format.recordByteCount == recordByteCount, format.headerByteCount == headerByteCount else {
            throw .corruptHeader(file: file, reason: "record or header size does not match the declared shape")
        }
        return Header(format: format, recordCount: Int(recordCount), splitTableCRC: splitTableCRC)
    }

    // MARK: Records

    private enum Flag {
        static let genderKnown: UInt8 = 1
        static let ageKnown: UInt8 = 2
        static let faceKnown: UInt8 = 4
        static let faceBoxKnown: UInt8 = 8
    }

    /// The flags a record of this version may set.
    private var knownFlags: UInt8 { version >= 2 ? 15 : 7 }

    /// The record bytes of a sample (the caller has checked its shape).
    func encodeRecord(_ sample: FaceSample) -> [UInt8] {
        var bytes = sample.image.pixels
        bytes.reserveCapacity(recordByteCount)
        let labels = sample.labels
        var flags: UInt8 = 0
        if labels.gender != nil { flags |= Flag.genderKnown }
        if labels.age != nil { flags |= Flag.ageKnown }
        if sample.isFace != nil { flags |= Flag.faceKnown }
        if labels.faceBox != nil { flags |= Flag.faceBoxKnown }
        bytes += [flags, labels.gender ?? 0, sample.isFace == true ? 1 : 0, sample.split.rawValue]
        bytes.appendLittleEndian((labels.age ?? 0).bitPattern)
        bytes.appendLittleEndian(labels.attributes.values)
        bytes.appendLittleEndian(labels.attributes.known)
        let id = Array(sample.sourceID.utf8)
        bytes += id + [UInt8](repeating: 0, count: Self.sourceIDByteCount - id.count)
        if version >= 2 {
            let box = labels.faceBox ?? FaceBoxOffset(x: 0, y: 0, logScale: 0)
            for value in [box.x, box.y, box.logScale] { bytes.appendLittleEndian(value.bitPattern) }
        }
        bytes.appendLittleEndian(crc32(bytes[...]))
        return bytes
    }

    /// Decodes and validates record `index` from its bytes.
    func decodeRecord(_ bytes: ArraySlice<UInt8>, index: Int, file: String) throws(DatasetError) -> FaceSample {
        let record = Array(bytes)
        func corrupt(_ reason: String) -> DatasetError { .corruptRecord(file: file, index: index, reason: reason) }
        guard record.count == recordByteCount else { throw corrupt("\(record.count) of \(recordByteCount) bytes") }
        let stored: UInt32 = record.littleEndian(at: recordByteCount - 4)
        guard crc32(record[0..<recordByteCount - 4]) == stored else { throw corrupt("checksum mismatch") }
        let p = pixelByteCount
        let flags = record[p], gender = record[p + 1], face = record[p + 2], splitByte = record[p + 3]
        guard flags & ~knownFlags == 0 else { throw corrupt("unknown flags \(flags)") }
        guard let split = Split(rawValue: splitByte) else { throw corrupt("split \(splitByte)") }
        var labels = FaceLabels()
        if flags & Flag.genderKnown != 0 {
            guard gender <= 1 else { throw corrupt("gender \(gender)") }
            labels.gender = gender
        }
        if flags & Flag.ageKnown != 0 {
            let age = Float(bitPattern: record.littleEndian(at: p + 4))
            guard age.isFinite, age >= 0, age <= 150 else { throw corrupt("age \(age)") }
            labels.age = age
        }
        var isFace: Bool?
        if flags & Flag.faceKnown != 0 {
            guard face <= 1 else { throw corrupt("face flag \(face)") }
            isFace = face == 1
        }
        let values: UInt64 = record.littleEndian(at: p + 8)
        let known: UInt64 = record.littleEndian(at: p + 16)
        let usable: UInt64 = (1 << UInt64(Self.attributeNames.count)) - 1
        guard known & ~usable == 0, values & ~known == 0 else { throw corrupt("attribute bits outside the mask") }
        for attribute in CelebAAttribute.allCases where known & (1 << UInt64(attribute.rawValue)) != 0 {
            labels.attributes[attribute] = values & (1 << UInt64(attribute.rawValue)) != 0
        }
        let idBytes = record[(p + 24)..<(p + 24 + Self.sourceIDByteCount)].prefix { $0 != 0 }
        guard let sourceID = String(validating: idBytes, as: UTF8.self) else { throw corrupt("source ID is not UTF-8") }
        if flags & Flag.faceBoxKnown != 0 {
            let at = p + 24 + Self.sourceIDByteCount
            let box = FaceBoxOffset(x: Float(bitPattern: record.littleEndian(at: at)), y: Float(bitPattern: record.littleEndian(at: at + 4)),
                                    logScale: Float(bitPattern: record.littleEndian(at: at + 8)))
            if let problem = box.problem { throw corrupt(problem) }
            labels.faceBox = box
        }
        let image = Image(width: width, height: height, channels: channels, pixels: Array(record[0..<p]))
        return FaceSample(image: image, labels: labels, isFace: isFace, split: split, sourceID: sourceID)
    }

    /// Why this format cannot be written (a shape the reader would reject), or nil.
    public var problem: String? {
        if !(1...16_384).contains(width) || !(1...16_384).contains(height) || !(channels == 1 || channels == 3) {
            return "image shape \(width)x\(height)x\(channels) (1...16384 per side, 1 or 3 channels)"
        }
        if !Self.versions.contains(version) { return "format version \(version) (1 or 2)" }
        return nil
    }

    /// Why `sample` cannot be stored in this format, or nil.
    func problem(with sample: FaceSample) -> String? {
        let image = sample.image
        if image.width != width || image.height != height || image.channels != channels {
            return "image is \(image.width)x\(image.height)x\(image.channels), the dataset stores \(width)x\(height)x\(channels)"
        }
        if let gender = sample.labels.gender, gender > 1 { return "gender \(gender) is neither 1 (male) nor 0 (female)" }
        if let age = sample.labels.age, !(age.isFinite && age >= 0 && age <= 150) { return "age \(age) outside 0...150" }
        if let box = sample.labels.faceBox {
            if version < 2 { return "a face box offset needs dataset format version 2" }
            if let problem = box.problem { return problem }
        }
        return Self.problem(withSourceID: sample.sourceID)
    }

    /// Why `sourceID` cannot be stored (more than `sourceIDByteCount` UTF-8 bytes, or a NUL,
    /// which would end it early), or nil. Importers skip such a sample before decoding it.
    static func problem(withSourceID sourceID: String) -> String? {
        if sourceID.utf8.count > sourceIDByteCount { return "source ID longer than \(sourceIDByteCount) bytes" }
        if sourceID.utf8.contains(0) { return "source ID contains a NUL byte" }
        return nil
    }
}

/// CRC-32 of bytes (zlib's polynomial).
func crc32(_ bytes: ArraySlice<UInt8>) -> UInt32 {
    bytes.withUnsafeBufferPointer { fz_crc32(0, $0.baseAddress, $0.count) }
}

extension Array where Element == UInt8 {
    mutating func appendLittleEndian<T: FixedWidthInteger>(_ value: T) {
        Swift.withUnsafeBytes(of: value.littleEndian) { append(contentsOf: $0) }
    }

    /// The little-endian integer at `offset` (the caller checked the bounds).
    func littleEndian<T: FixedWidthInteger>(at offset: Int) -> T {
        var value: T = 0
        for i in 0..<MemoryLayout<T>.size { value |= T(self[offset + i]) << (8 * i) }
        return value
    }
}

import FacelyzrFiles
import Foundation
import Testing
@testable import FacelyzrData

@Suite struct DatasetFormatTests {
    static let format = DatasetFormat(width: 5, height: 4, channels: 3)

    static func sample(_ index: Int) -> FaceSample {
        var image = Image(width: 5, height: 4, channels: 3)
        for i in image.pixels.indices { image.pixels[i] = UInt8((i * 31 + index * 7) % 256) }
        var attributes = CelebAAttributes()
        if index % 2 == 1 {
            attributes[.smiling] = true
            attributes[.eyeglasses] = index % 3 == 0
            attributes[.young] = false
        }
        let labels = FaceLabels(gender: index % 3 == 0 ? nil : UInt8(index % 2), age: index % 4 == 0 ? nil : Float(index) + 0.5,
                                attributes: attributes)
        return FaceSample(image: image, labels: labels, isFace: index % 5 == 0 ? false : nil,
                          split: Split(rawValue: UInt8(index % 3))!, sourceID: "test/\(index).jpg")
    }

    static func writeDataset(count: Int, in directory: String) throws -> DatasetManifest {
        let writer = try DatasetWriter(directory: directory, format: format, source: "test")
        for index in 0..<count { try writer.append(sample(index)) }
        return try writer.finish()
    }

    @Test func samplesRoundTripWithEveryLabelAndMask() throws {
        let directory = try TemporaryDirectory()
        let manifest = try Self.writeDataset(count: 23, in: directory.path)
        #expect(manifest.count == 23)
        #expect(manifest.splits == ["train": 8, "calibration": 8, "test": 7])
        let reader = try DatasetReader(directory: directory.path)
        #expect(reader.count == 23)
        #expect(reader.format == Self.format)
        for index in 0..<23 {
            #expect(try reader.sample(at: index) == Self.sample(index))
        }
        #expect(reader.indices(in: .test) == [2, 5, 8, 11, 14, 17, 20])
        let json = try JSONDecoder().decode(DatasetManifest.self, from: Data(contentsOf: URL(fileURLWithPath: directory.path + "/manifest.json")))
        #expect(json == manifest)
    }

    @Test func emptyDatasetIsValid() throws {
        let directory = try TemporaryDirectory()
        _ = try Self.writeDataset(count: 0, in: directory.path)
        let reader = try DatasetReader(directory: directory.path)
        #expect(reader.count == 0)
        var batches = reader.batches(in: .train, size: 4)
        #expect(try batches.next() == nil)
    }

    @Test func batchesCoverTheSplitOnceAndShuffleDeterministically() throws {
        let directory = try TemporaryDirectory()
        _ = try Self.writeDataset(count: 40, in: directory.path)
        let reader = try DatasetReader(directory: directory.path)
        func served(seed: UInt64?) throws -> [String] {
            var batches = reader.batches(in: .train, size: 3, shuffleSeed: seed)
            var ids: [String] = []
            while let batch = try batches.next() {
                #expect(batch.count <= 3)
                #expect(batch.allSatisfy { $0.split == .train })
                ids += batch.map(\.sourceID)
            }
            return ids
        }
        let ordered = try served(seed: nil)
        let shuffled = try served(seed: 42)
        #expect(ordered.count == 14)
        #expect(Set(shuffled) == Set(ordered))
        #expect(shuffled != ordered)
        #expect(try served(seed: 42) == shuffled)
    }

    @Test func writerRejectsSamplesThatDoNotFit() throws {
        let directory = try TemporaryDirectory()
        let writer = try DatasetWriter(directory: directory.path, format: Self.format, source: "test")
        var wrongShape = Self.sample(1)
        wrongShape.image = Image(width: 4, height: 4, channels: 3)
        #expect(throws: DatasetError.self) { try writer.append(wrongShape) }
        var longID = Self.sample(1)
        longID.sourceID = String(repeating: "x", count: 97)
        #expect(throws: DatasetError.self) { try writer.append(longID) }
        var badAge = Self.sample(1)
        badAge.labels.age = .nan
        #expect(throws: DatasetError.self) { try writer.append(badAge) }
        var badGender = Self.sample(1)
        badGender.labels.gender = 2
        #expect(throws: DatasetError.self) { try writer.append(badGender) }
    }

    @Test func splitAssignmentIsStableAndRoughlyEightyTenTen() {
        #expect(Split.assigned(toIdentity: "nm0000001") == Split.assigned(toIdentity: "nm0000001"))
        var counts: [Split: Int] = [:]
        for i in 0..<10_000 { counts[Split.assigned(toIdentity: "person-\(i)"), default: 0] += 1 }
        #expect((7_700...8_300).contains(counts[.train]!))
        #expect((800...1_200).contains(counts[.calibration]!))
        #expect((800...1_200).contains(counts[.test]!))
    }
}

/// Damaged dataset files give typed errors that name the file and the record.
@Suite struct DatasetCorruptionTests {
    @Test func version2StoresFaceBoxOffsetsAndReadsLikeVersion1Otherwise() throws {
        let directory = try TemporaryDirectory()
        let format = DatasetFormat(width: 5, height: 4, channels: 3, version: 2)
        func boxed(_ index: Int) -> FaceSample {
            var sample = DatasetFormatTests.sample(index)
            if index % 2 == 0 { sample.labels.faceBox = FaceBoxOffset(x: 0.125 * Float(index % 3), y: -0.0625, logScale: 0.1) }
            return sample
        }
        let writer = try DatasetWriter(directory: directory.path, format: format, source: "test")
        for index in 0..<7 { try writer.append(boxed(index)) }
        #expect(try writer.finish().formatVersion == 2)
        let reader = try DatasetReader(directory: directory.path)
        #expect(reader.format == format && format.recordByteCount == DatasetFormatTests.format.recordByteCount + 12)
        for index in 0..<7 { #expect(try reader.sample(at: index) == boxed(index)) }
        // A version 1 dataset cannot hold a face box; an offset out of range is refused.
        let v1 = try DatasetWriter(directory: directory.path + "/v1", format: DatasetFormatTests.format, source: "test")
        #expect(throws: DatasetError.invalidSample(sourceID: "test/0.jpg", reason: "a face box offset needs dataset format version 2")) {
            try v1.append(boxed(0))
        }
        var far = boxed(0)
        far.labels.faceBox = FaceBoxOffset(x: 1.5, y: 0, logScale: 0)
        #expect(throws: DatasetError.self) { try writer.append(far) }
    }

    @Test func aFaceBoxOutOfRangeNamesTheRecord() throws {
        let directory = try TemporaryDirectory()
        let format = DatasetFormat(width: 5, height: 4, channels: 3, version: 2)
        let writer = try DatasetWriter(directory: directory.path, format: format, source: "test")
        var sample = DatasetFormatTests.sample(1)
        sample.labels.faceBox = FaceBoxOffset(x: 0, y: 0, logScale: 0.5)
        try writer.append(sample)
        try writer.finish()
        let path = directory.path + "/samples.fzds"
        var bytes = try ReadOnlyFile.readAll(path: path)
        // logScale 0.5 -> 3 (a face 20 times the window), then the checksum made to match.
        let record = format.recordOffset(0), box = record + format.pixelByteCount + 24 + DatasetFormat.sourceIDByteCount
        bytes.replaceSubrange(box + 8..<box + 12, with: withUnsafeBytes(of: Float(3).bitPattern.littleEndian, Array.init))
        let checksum = crc32(bytes[record..<box + 12])
        bytes.replaceSubrange(box + 12..<box + 16, with: withUnsafeBytes(of: checksum.littleEndian, Array.init))
        try Self.overwrite(path, with: bytes)
        let reader = try DatasetReader(directory: directory.path)
        #expect(throws: DatasetError.corruptRecord(file: path, index: 0, reason: "face box log scale 3.0 outside -ln 8...ln 8")) {
            try reader.sample(at: 0)
        }
    }

    static func writtenFile() throws -> (TemporaryDirectory, String, [UInt8]) {
        let directory = try TemporaryDirectory()
        _ = try DatasetFormatTests.writeDataset(count: 6, in: directory.path)
        let path = directory.path + "/samples.fzds"
        return (directory, path, try ReadOnlyFile.readAll(path: path))
    }

    static func overwrite(_ path: String, with bytes: [UInt8]) throws {
        try Data(bytes).write(to: URL(fileURLWithPath: path))
    }

    @Test func flippedRecordByteNamesTheRecord() throws {
        let (directory, path, bytes) = try Self.writtenFile()
        defer { withExtendedLifetime(directory) {} }
        let format = DatasetFormatTests.format
        var damaged = bytes
        damaged[format.recordOffset(4) + 3] ^= 0x10
        try Self.overwrite(path, with: damaged)
        let reader = try DatasetReader(directory: directory.path)
        #expect(try reader.sample(at: 3) == DatasetFormatTests.sample(3))
        #expect(throws: DatasetError.corruptRecord(file: path, index: 4, reason: "checksum mismatch")) {
            try reader.sample(at: 4)
        }
        #expect(throws: DatasetError.indexOutOfRange(file: path, index: 6, count: 6)) { try reader.sample(at: 6) }
    }

    @Test func aNonUTF8SourceIDNamesTheRecord() throws {
        let (directory, path, bytes) = try Self.writtenFile()
        defer { withExtendedLifetime(directory) {} }
        let format = DatasetFormatTests.format
        var damaged = bytes
        let record = format.recordOffset(2), id = record + format.pixelByteCount + 24
        damaged[id] = 0xFF  // never valid in UTF-8; the record's checksum is then made to match
        let checksum = crc32(damaged[record..<id + DatasetFormat.sourceIDByteCount])
        damaged.replaceSubrange(id + DatasetFormat.sourceIDByteCount..<id + DatasetFormat.sourceIDByteCount + 4,
                                with: withUnsafeBytes(of: checksum.littleEndian, Array.init))
        try Self.overwrite(path, with: damaged)
        let reader = try DatasetReader(directory: directory.path)
        #expect(throws: DatasetError.corruptRecord(file: path, index: 2, reason: "source ID is not UTF-8")) {
            try reader.sample(at: 2)
        }
    }

    @Test func everyTruncationIsATypedError() throws {
        let (directory, path, bytes) = try Self.writtenFile()
        defer { withExtendedLifetime(directory) {} }
        for cut in stride(from: 0, to: bytes.count, by: 7) {
            try Self.overwrite(path, with: Array(bytes[..<cut]))
            #expect(throws: DatasetError.self, "cut at \(cut)") { try DatasetReader(file: path) }
        }
        try Self.overwrite(path, with: Array(bytes.dropLast()))
        #expect(throws: DatasetError.truncated(file: path, expectedBytes: bytes.count, actualBytes: bytes.count - 1)) {
            try DatasetReader(file: path)
        }
    }

    @Test func damagedHeaderAndSplitTableAreDetected() throws {
        let (directory, path, bytes) = try Self.writtenFile()
        defer { withExtendedLifetime(directory) {} }
        var wrongMagic = bytes
        wrongMagic[0] = UInt8(ascii: "X")
        try Self.overwrite(path, with: wrongMagic)
        #expect(throws: DatasetError.notADataset(file: path)) { try DatasetReader(file: path) }

        for position in 4..<DatasetFormatTests.format.headerByteCount {
            var damaged = bytes
            damaged[position] ^= 0x01
            try Self.overwrite(path, with: damaged)
            #expect(throws: DatasetError.self, "flip at \(position)") { try DatasetReader(file: path) }
        }
        var table = bytes
        table[table.count - 1] = table[table.count - 1] == 0 ? 1 : 0
        try Self.overwrite(path, with: table)
        #expect(throws: DatasetError.corruptHeader(file: path, reason: "split table checksum mismatch")) {
            try DatasetReader(file: path)
        }
    }

    @Test func absurdRecordCountIsATypedError() throws {
        let directory = try TemporaryDirectory()
        let path = directory.path + "/samples.fzds"
        let huge = DatasetFormat(width: 16_384, height: 16_384, channels: 3)
        for count in [1 << 39, 1_000] {
            try Self.overwrite(path, with: huge.encodeHeader(recordCount: count, splitTableCRC: 0))
            #expect(throws: DatasetError.self, "count \(count)") { try DatasetReader(file: path) }
        }
    }

    @Test func writerRejectsFormatsTheReaderWouldReject() throws {
        let directory = try TemporaryDirectory()
        for format in [DatasetFormat(width: 20_000, height: 4, channels: 3), DatasetFormat(width: 4, height: 4, channels: 2)] {
            #expect(throws: DatasetError.self) { try DatasetWriter(directory: directory.path, format: format, source: "t") }
        }
    }

    @Test func missingFileIsUnreadable() {
        #expect(throws: DatasetError.self) { try DatasetReader(directory: "/nonexistent") }
    }
}

import Foundation
import Testing
@testable import FacelyzrData
import FacelyzrFiles

/// CelebA in its real layout: 178x218 JPEGs, an attribute file whose columns are padded with
/// repeated spaces, and the evaluation partition.
@Suite struct CelebAImporterTests {
    static let blue: [UInt8] = [20, 40, 220]
    static let red: [UInt8] = [230, 10, 10]

    /// Values for a row: `male` at index 20, `smiling` at 31, the rest alternating.
    static func values(male: Bool, smiling: Bool) -> [Int] {
        (0..<40).map { i in i == 20 ? (male ? 1 : -1) : i == 31 ? (smiling ? 1 : -1) : (i % 3 == 0 ? 1 : -1) }
    }

    /// `000001.jpg -1  1  1 -1 ...`: each value right-aligned in two characters, one space apart.
    static func row(_ name: String, _ values: [Int]) -> String {
        name + " " + values.map { $0 == 1 ? " 1" : "-1" }.joined(separator: " ")
    }

    static func writeFixture(in root: String) throws {
        // Red bands at the top and bottom 20 rows: the centre square crop removes them.
        let face = Fixtures.image(width: 178, height: 218, color: red, inner: (0, 20, 178, 178, blue))
        for name in ["000001.jpg", "000002.jpg", "000003.jpg", "000006.jpg", "000007.jpg", "000008.jpg"] {
            try Fixtures.writeJPEG(face, to: root + "/img_align_celeba/" + name)
        }
        try Fixtures.writeTruncatedJPEG(to: root + "/img_align_celeba/000005.jpg")
        let rows = [
            row("000001.jpg", values(male: true, smiling: false)),
            row("000002.jpg", values(male: false, smiling: true)),
            row("000003.jpg", Array(values(male: true, smiling: true).dropLast())),  // 39 values
            row("000004.jpg", values(male: true, smiling: true)),  // no image file
            row("000005.jpg", values(male: true, smiling: true)),  // truncated JPEG
            row("000006.jpg", values(male: true, smiling: true)),  // not in the partition file
            row("000007.jpg", values(male: false, smiling: false)),
            row("000008.jpg", values(male: true, smiling: true)),
            row("000001.jpg", values(male: false, smiling: false)),  // listed twice
        ]
        try Fixtures.write("202599\n" + DatasetFormat.attributeNames.joined(separator: " ") + " \n"
                           + rows.joined(separator: "\n") + "\n", to: root + "/list_attr_celeba.txt")
        try Fixtures.write("""
            000001.jpg 0
            000002.jpg 0
            000003.jpg 0
            000004.jpg 0
            000005.jpg 0
            000007.jpg 1
            000008.jpg 2

            """, to: root + "/list_eval_partition.txt")
    }

    @Test func importsLabelsSplitsAndCountsEverySkip() throws {
        let source = try TemporaryDirectory(), destination = try TemporaryDirectory()
        try Self.writeFixture(in: source.path)
        var options = ImportOptions()
        options.size = 16
        let report = try DatasetImporter.run(.celeba, source: source.path, destination: destination.path, options: options)

        #expect(report.imported == 4)
        #expect(report.skippedByReason == [
            "malformed annotation row": 1, "missing image": 1, "unreadable image": 1,
            "no partition entry": 1, "duplicate annotation row": 1,
        ])
        #expect(report.splits == ["train": 2, "calibration": 1, "test": 1])
        #expect(report.notes == ["list_attr_celeba.txt declares 202599 images and has 9 rows"])
        #expect(report.skippedItems.contains { $0.file.hasSuffix("/img_align_celeba/000004.jpg") && $0.reason == .missingImage })
        #expect(report.skippedItems.contains { $0.file.hasSuffix("/img_align_celeba/000005.jpg") && $0.reason == .unreadableImage })
        #expect(report.skippedItems.contains { $0.file.hasSuffix("list_attr_celeba.txt:5") && $0.reason == .malformedRow })

        let reader = try DatasetReader(directory: destination.path)
        let samples = try reader.samples(at: Array(0..<reader.count))
        #expect(samples.map(\.sourceID) == ["celeba/000001.jpg", "celeba/000002.jpg", "celeba/000007.jpg", "celeba/000008.jpg"])
        #expect(samples.map(\.labels.gender) == [1, 0, 0, 1])
        #expect(samples.map(\.split) == [.train, .train, .calibration, .test])
        #expect(samples.allSatisfy { $0.labels.age == nil })
        #expect(samples.map { $0.labels.attributes[.smiling] } == [false, true, false, true])
        #expect(CelebAAttribute.allCases.map { samples[0].labels.attributes[$0]! }
                == Self.values(male: true, smiling: false).map { $0 == 1 })
        // The centre square crop keeps only the blue face region.
        for sample in samples {
            #expect(sample.image.width == 16 && sample.image.height == 16 && sample.image.channels == 3)
            #expect(Fixtures.isClose(Fixtures.meanColor(sample.image), to: Self.blue))
        }
        let onDisk = try JSONDecoder().decode(ImportReport.self, from: Data(contentsOf: URL(fileURLWithPath: destination.path + "/import-report.json")))
        #expect(onDisk == report)
    }

    static func importFixture(_ source: TemporaryDirectory) throws -> ImportReport {
        let destination = try TemporaryDirectory()
        var options = ImportOptions()
        options.size = 16
        return try DatasetImporter.run(.celeba, source: source.path, destination: destination.path, options: options)
    }

    @Test func crlfLineEndingsReadAsLF() throws {
        let source = try TemporaryDirectory()
        try Self.writeFixture(in: source.path)
        for file in [CelebAImporter.attributeFile, CelebAImporter.partitionFile] {
            let path = source.path + "/" + file
            let text = try String(contentsOfFile: path, encoding: .utf8)
            try Fixtures.write(text.replacingOccurrences(of: "\n", with: "\r\n"), to: path)
        }
        let report = try Self.importFixture(source)
        #expect(report.imported == 4)
        #expect(report.skippedByReason == [
            "malformed annotation row": 1, "missing image": 1, "unreadable image": 1,
            "no partition entry": 1, "duplicate annotation row": 1,
        ])
        #expect(report.splits == ["train": 2, "calibration": 1, "test": 1])
    }

    /// Writes the attribute rows for `names` (every image present) and the partition text.
    static func writeSmallFixture(in root: String, names: [String], partition: String) throws {
        let face = Fixtures.image(width: 178, height: 218, color: blue)
        for name in names { try Fixtures.writeJPEG(face, to: root + "/img_align_celeba/" + name) }
        try Fixtures.write("\(names.count)\n" + DatasetFormat.attributeNames.joined(separator: " ") + "\n"
                           + names.map { row($0, values(male: true, smiling: true)) }.joined(separator: "\n") + "\n",
                           to: root + "/" + CelebAImporter.attributeFile)
        try Fixtures.write(partition, to: root + "/" + CelebAImporter.partitionFile)
    }

    @Test func aNameTooLongForASourceIDIsSkippedAndCounted() throws {
        let source = try TemporaryDirectory()
        let long = String(repeating: "7", count: 86) + ".jpg"  // 90 bytes, 97 with "celeba/"
        try Self.writeSmallFixture(in: source.path, names: ["000001.jpg", long], partition: "000001.jpg 0\n\(long) 0\n")
        let report = try Self.importFixture(source)
        #expect(report.imported == 1)
        #expect(report.skippedByReason == ["invalid source ID": 1])
        #expect(report.skippedItems.first?.file == source.path + "/img_align_celeba/" + long)
        #expect(report.skippedItems.first?.detail == "source ID longer than 96 bytes")
    }

    @Test func partitionProblemsAreReportedAsWhatTheyAre() throws {
        let source = try TemporaryDirectory()
        let names = ["000001.jpg", "000002.jpg", "000003.jpg", "000004.jpg", "000005.jpg", "000006.jpg"]
        try Self.writeSmallFixture(in: source.path, names: names, partition: """
            000001.jpg 0
            000002.jpg 3
            000003.jpg x
            000001.jpg 2
            000004.jpg 1
            000004.jpg 1
            000005.jpg

            """)
        let report = try Self.importFixture(source)
        let partition = source.path + "/" + CelebAImporter.partitionFile
        #expect(report.imported == 1)
        #expect(report.splits == ["calibration": 1])  // 000004.jpg: an identical repeat is harmless
        #expect(report.skippedByReason == ["malformed annotation row": 3, "conflicting partition entries": 1, "no partition entry": 1])
        #expect(report.skippedItems.contains(SkippedItem(file: partition + ":2", reason: .malformedRow,
                                                         detail: "000002.jpg: partition '3' is not 0, 1 or 2")))
        #expect(report.skippedItems.contains(SkippedItem(file: partition + ":3", reason: .malformedRow,
                                                         detail: "000003.jpg: partition 'x' is not 0, 1 or 2")))
        #expect(report.skippedItems.contains(SkippedItem(file: partition + ":4", reason: .conflictingPartition,
                                                         detail: "000001.jpg: partition 2 here, 0 at line 1")))
        #expect(report.skippedItems.contains(SkippedItem(file: partition + ":7", reason: .malformedRow,
                                                         detail: "000005.jpg: expected a file name and a partition")))
        #expect(report.skippedItems.contains { $0.reason == .noPartition && $0.detail.hasPrefix("000006.jpg") })
    }

    @Test func aNonUTF8NameIsAMalformedRowNotAMissingImage() throws {
        let source = try TemporaryDirectory()
        try Self.writeSmallFixture(in: source.path, names: ["000001.jpg"], partition: "000001.jpg 0\n")
        // Append a Latin-1 name (0xE9, "é") to both files and write its image under those bytes.
        let latin1: [UInt8] = Array("00000".utf8) + [0xE9] + Array(".jpg".utf8)
        let attributes = source.path + "/" + CelebAImporter.attributeFile
        var attributeBytes = try ReadOnlyFile.readAll(path: attributes)
        attributeBytes += latin1 + Array(Self.row("", Self.values(male: false, smiling: true)).utf8) + [0x0A]
        try Data(attributeBytes).write(to: URL(fileURLWithPath: attributes))
        let partition = source.path + "/" + CelebAImporter.partitionFile
        try Data(ReadOnlyFile.readAll(path: partition) + latin1 + Array(" 0\n".utf8)).write(to: URL(fileURLWithPath: partition))
        let jpeg = try Fixtures.image(width: 178, height: 218, color: Self.red).jpegData()
        let imagePath = Array((source.path + "/img_align_celeba/").utf8) + latin1
        let file = fopen(imagePath.map { CChar(bitPattern: $0) } + [0], "wb")
        #expect(file != nil)
        _ = jpeg.withUnsafeBytes { fwrite($0.baseAddress, 1, jpeg.count, file) }
        fclose(file)

        let report = try Self.importFixture(source)
        #expect(report.imported == 1)
        #expect(report.skippedByReason == ["malformed annotation row": 2])
        #expect(report.skippedItems.contains(SkippedItem(file: attributes + ":4", reason: .malformedRow, detail: "not valid UTF-8")))
        #expect(report.skippedItems.contains(SkippedItem(file: partition + ":2", reason: .malformedRow, detail: "not valid UTF-8")))
    }

    @Test func missingAnnotationFileIsATypedError() throws {
        let source = try TemporaryDirectory(), destination = try TemporaryDirectory()
        #expect(throws: ImportError.missingFile(file: source.path + "/list_eval_partition.txt")) {
            try DatasetImporter.run(.celeba, source: source.path, destination: destination.path)
        }
    }

    @Test func wrongNamesLineIsATypedError() throws {
        let source = try TemporaryDirectory(), destination = try TemporaryDirectory()
        try Fixtures.write("000001.jpg 0\n", to: source.path + "/list_eval_partition.txt")
        try Fixtures.write("1\nSmiling Male\n" + Self.row("000001.jpg", Self.values(male: true, smiling: true)) + "\n",
                           to: source.path + "/list_attr_celeba.txt")
        #expect {
            try DatasetImporter.run(.celeba, source: source.path, destination: destination.path)
        } throws: { error in
            guard case let .malformedAnnotations(file, line, _) = error as? ImportError else { return false }
            return file.hasSuffix("list_attr_celeba.txt") && line == 2
        }
    }
}

import Foundation
import Testing
@testable import FacelyzrData

/// UTKFace: labels in file names (gender 0 = male there), including its known malformed names.
@Suite struct UTKFaceImporterTests {
    @Test(arguments: [
        ("25_0_2_20170116174525125.jpg.chip.jpg", UTKFaceImporter.ParsedName.labels(age: 25, gender: 1)),
        ("3_1_0_20170109142408075.jpg", .labels(age: 3, gender: 0)),
        ("116_1_4_20170109142408075.jpg", .labels(age: 116, gender: 0)),
        ("117_0_0_20170116184028385.jpg", .ageOutOfRange(117)),
    ])
    func validNamesParse(name: String, expected: UTKFaceImporter.ParsedName) {
        #expect(UTKFaceImporter.parse(fileName: name) == expected)
    }

    @Test(arguments: [
        "39_1_20170116174525125.jpg.chip.jpg",    // missing race
        "24_0_1_20170116220224657 .jpg.chip.jpg", // space before .jpg
        "55_0_0_20170116232725357jpg.chip.jpg",   // missing dot
        "53__0_20170116184028385.jpg",            // double underscore
        "20_2_0_20170116184028385.jpg",           // gender 2
        "20_0_5_20170116184028385.jpg",           // race 5
        "20_0_0_2017011618402838.jpg",            // 16-digit datetime
        "20_0_0_20170116184028385.png",
        ".DS_Store",
    ])
    func malformedNamesAreRejected(name: String) {
        guard case .malformed = UTKFaceImporter.parse(fileName: name) else {
            Issue.record("\(name) parsed")
            return
        }
    }

    @Test func importNormalisesGenderAndReportsBadNames() throws {
        let source = try TemporaryDirectory(), destination = try TemporaryDirectory()
        let chip = Fixtures.image(width: 200, height: 200, color: [120, 90, 70])
        let good = ["25_0_2_20170116174525125.jpg.chip.jpg", "3_1_0_20170109142408075.jpg"]
        let malformed = ["39_1_20170116174525125.jpg.chip.jpg", "24_0_1_20170116220224657 .jpg.chip.jpg",
                         "55_0_0_20170116232725357jpg.chip.jpg", "53__0_20170116184028385.jpg"]
        for name in good + malformed + ["117_0_0_20170116184028385.jpg"] {
            try Fixtures.writeJPEG(chip, to: source.path + "/" + name)
        }
        try Fixtures.writeTruncatedJPEG(to: source.path + "/30_1_4_20170117194024586.jpg.chip.jpg")
        var options = ImportOptions()
        options.size = 20
        let report = try DatasetImporter.run(.utkface, source: source.path, destination: destination.path, options: options)

        #expect(report.imported == 2)
        #expect(report.skippedByReason == ["malformed file name": 4, "age out of range": 1, "unreadable image": 1])
        #expect(Set(report.skippedItems.filter { $0.reason == .malformedFileName }.map(\.file))
                == Set(malformed.map { source.path + "/" + $0 }))
        let reader = try DatasetReader(directory: destination.path)
        let samples = try reader.samples(at: [0, 1])
        // Sorted by file name: "25_0_..." before "3_1_...".
        #expect(samples.map(\.sourceID) == good.map { "utkface/" + $0 })
        #expect(samples.map(\.labels.gender) == [1, 0])  // UTKFace's 0 (male) became 1
        #expect(samples.map(\.labels.age) == [25, 3])
        #expect(samples.map(\.split) == good.map { Split.assigned(toIdentity: $0) })
        #expect(Fixtures.isClose(Fixtures.meanColor(samples[0].image), to: [120, 90, 70], tolerance: 4))
    }

    @Test func aDirectoryOrANonUTF8NameIsSkippedAndCounted() throws {
        let source = try TemporaryDirectory(), destination = try TemporaryDirectory()
        let chip = Fixtures.image(width: 200, height: 200, color: [120, 90, 70])
        try Fixtures.writeJPEG(chip, to: source.path + "/25_0_2_20170116174525125.jpg.chip.jpg")
        try FileManager.default.createDirectory(atPath: source.path + "/26_1_2_20170116174525125.jpg.chip.jpg",
                                                withIntermediateDirectories: false)
        // A JPEG whose name holds the Latin-1 byte 0xE9 ("é"): no UTF-8 string names it.
        let jpeg = try chip.jpegData()
        let latin1 = Array((source.path + "/27_0_2_2017011617452512").utf8) + [0xE9] + Array(".jpg".utf8)
        let file = fopen(latin1.map { CChar(bitPattern: $0) } + [0], "wb")
        #expect(file != nil)
        _ = jpeg.withUnsafeBytes { fwrite($0.baseAddress, 1, jpeg.count, file) }
        fclose(file)

        let report = try DatasetImporter.run(.utkface, source: source.path, destination: destination.path)
        #expect(report.imported == 1)
        #expect(report.skippedByReason == ["unreadable image": 1, "malformed file name": 1])
        #expect(report.skippedItems.contains(SkippedItem(file: source.path + "/26_1_2_20170116174525125.jpg.chip.jpg",
                                                         reason: .unreadableImage, detail: "a directory, not a file")))
        #expect(report.skippedItems.contains { $0.reason == .malformedFileName && $0.detail == "not valid UTF-8" })
    }
}

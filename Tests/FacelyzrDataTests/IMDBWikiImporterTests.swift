import Testing
@testable import FacelyzrData

/// IMDB-WIKI through the CSV that tools/imdb_wiki_to_csv.py writes (gender 1 = male there).
@Suite struct IMDBWikiImporterTests {
    static let header = "full_path,age,gender,face_x1,face_y1,face_x2,face_y2,face_score,second_face_score"

    @Test func filtersAreAppliedAndCountedAndFaceBoxIsCropped() throws {
        let source = try TemporaryDirectory(), destination = try TemporaryDirectory()
        // A grey picture with a green face box at x 40..<100, y 50..<110.
        let picture = Fixtures.image(width: 160, height: 200, color: [128, 128, 128], inner: (40, 50, 60, 60, [20, 200, 30]))
        let files = ["01/nm0000001_rm1_1980-6-30_2010.jpg", "02/nm0000002_rm2_1980-7-1_2010.jpg",
                     "03/nm0000003_rm3_1970-1-1_2000.jpg", "04/nm0000004_rm4_1970-1-1_2000.jpg",
                     "05/nm0000005_rm5_1970-1-1_2000.jpg", "06/nm0000006_rm6_1900-1-1_2005.jpg",
                     "08/nm0000008_rm8_1970-1-1_2000.jpg", "09/nm0000009_rm9_0-0-0_2000.jpg"]
        for file in files { try Fixtures.writeJPEG(picture, to: source.path + "/" + file) }
        let box = "40.0,50.0,100.0,110.0"
        let csv = [
            Self.header,
            "01/nm0000001_rm1_1980-6-30_2010.jpg,30,1,\(box),4.5,",      // male, kept
            "02/nm0000002_rm2_1980-7-1_2010.jpg,29,0,\(box),2.25,",      // female, kept
            "03/nm0000003_rm3_1970-1-1_2000.jpg,30,,\(box),3.0,",        // NaN gender
            "04/nm0000004_rm4_1970-1-1_2000.jpg,30,1,\(box),-inf,",      // no face
            "05/nm0000005_rm5_1970-1-1_2000.jpg,30,1,\(box),3.0,1.5",    // second face
            "06/nm0000006_rm6_1900-1-1_2005.jpg,105,1,\(box),3.0,",      // age > 100
            "07/nm0000007_rm7_1970-1-1_2000.jpg,30,0,\(box),3.0,",       // image missing
            "08/nm0000008_rm8_1970-1-1_2000.jpg,30,0,\(box),0.5,",       // face score < 1
            "09/nm0000009_rm9_0-0-0_2000.jpg,,1,\(box),3.0,",            // invalid birth date
            "10/too,few,fields",
        ].joined(separator: "\n") + "\n"
        try Fixtures.write(csv, to: source.path + "/imdb-wiki.csv")
        var options = ImportOptions()
        options.size = 24
        let report = try DatasetImporter.run(.imdbWiki, source: source.path, destination: destination.path, options: options)

        #expect(report.imported == 2)
        #expect(report.skippedByReason == [
            "unknown gender": 1, "no face": 1, "second face": 1, "age out of range": 1, "missing image": 1,
            "face score below 1": 1, "unknown age": 1, "malformed annotation row": 1,
        ])
        #expect(report.skippedItems.contains { $0.reason == .noFace && $0.file.hasSuffix("(04/nm0000004_rm4_1970-1-1_2000.jpg)") })
        let reader = try DatasetReader(directory: destination.path)
        let samples = try reader.samples(at: [0, 1])
        #expect(samples.map(\.labels.gender) == [1, 0])
        #expect(samples.map(\.labels.age) == [30, 29])
        #expect(samples.map(\.split) == [Split.assigned(toIdentity: "nm0000001"), Split.assigned(toIdentity: "nm0000002")])
        // The 60-pixel box with a 40% margin is an 84-pixel square: the green box is 60/84 of
        // each side, so green dominates the crop.
        let mean = Fixtures.meanColor(samples[0].image)
        #expect(mean[1] > 150 && mean[0] < 90)
    }

    @Test func wrongHeaderIsATypedError() throws {
        let source = try TemporaryDirectory(), destination = try TemporaryDirectory()
        try Fixtures.write("path,age,gender\n", to: source.path + "/imdb-wiki.csv")
        #expect {
            try DatasetImporter.run(.imdbWiki, source: source.path, destination: destination.path)
        } throws: { error in
            guard case .malformedAnnotations(_, 1, _) = error as? ImportError else { return false }
            return true
        }
    }

    @Test func faceBoxCropStaysInsideThePicture() throws {
        let picture = Fixtures.image(width: 50, height: 40, color: [0, 0, 0])
        let prepared = try #require(DatasetImporter.prepare(
            picture, crop: .faceBox(x1: 30, y1: 0, x2: 60, y2: 45, margin: 0.4), size: 8, channels: 1))
        #expect(prepared.width == 8 && prepared.channels == 1)
        #expect(DatasetImporter.prepare(picture, crop: .faceBox(x1: 10, y1: 10, x2: 5, y2: 20, margin: 0.4), size: 8, channels: 3) == nil)
        // Absurd boxes from a damaged .mat neither trap nor leave the picture.
        let huge = DatasetImporter.prepare(picture, crop: .faceBox(x1: -1e300, y1: 0, x2: 1e300, y2: 10, margin: 0.4), size: 8, channels: 3)
        #expect(huge?.width == 8)
        #expect(DatasetImporter.prepare(picture, crop: .faceBox(x1: .nan, y1: 0, x2: 5, y2: 10, margin: 0.4), size: 8, channels: 3) == nil)
    }
}

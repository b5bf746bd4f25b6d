import FacelyzrData
import FacelyzrSynthetic
import Testing

@Suite struct FaceSourceTests {
    @Test func syntheticFaceIOfASplitIsTheGeneratorsFaceOfThatSplit() throws {
        let source = SyntheticFaceSource(seed: 5, size: 16)
        let generator = SyntheticFaces(seed: 5, size: 16)
        for split in Split.allCases {
            let face = source.face(3, in: split)
            let expected = generator.sample(index: split.syntheticIndex(3))
            #expect(face.pixels == expected.image.pixels && face.labels == expected.labels)
            #expect(face.isFace == true)
        }
        #expect(try source.faces([3, 0], in: .test).map(\.pixels) == [source.face(3, in: .test).pixels, source.face(0, in: .test).pixels])
        // The words checkpoints recorded, and the model cards'.
        #expect(SplitFaces<TrainSplit>(source, limit: 10).trainingProvenance
                == "synthetic faces (generator version 2, seed 5, 16x16), train split, faces 0..<10")
        #expect(SplitFaces<CalibrationSplit>(source, limit: 10).description
                == "synthetic generator v2, seed 5, 16x16 RGB, calibration split, 10 faces")
    }

    @Test func aDatasetSplitsFacesAreItsRecordsInOrderAndABatchReadsTheSame() throws {
        let folder = try TemporaryDirectory()
        let writer = try DatasetWriter(directory: folder.path, format: DatasetFormat(width: 2, height: 2, channels: 1), source: "test")
        for i in 0..<9 {  // records 0, 3, 6 are test faces
            try writer.append(FaceSample(image: Image(width: 2, height: 2, channels: 1, pixels: [UInt8](repeating: UInt8(i), count: 4)),
                                         labels: FaceLabels(age: Float(i)), isFace: i % 2 == 0, split: i % 3 == 0 ? .test : .train,
                                         sourceID: "r\(i)"))
        }
        _ = try writer.finish()
        let source = try DatasetFaceSource(path: folder.path)
        #expect(source.count(in: .test) == 3 && source.count(in: .train) == 6 && source.count(in: .calibration) == 0)
        #expect(try source.face(2, in: .test).pixels == [6, 6, 6, 6])
        let batch = try SplitFaces<TrainSplit>(source).faces([5, 0])
        #expect(batch.map(\.labels.age) == [8, 1] && batch.map(\.isFace) == [true, false])
        #expect(SplitFaces<TrainSplit>(source).trainingProvenance == "dataset \(source.reader.path), train split, 6 records")
    }

    @Test func inMemoryFacesKeepTheirSplits() {
        let face = { (v: UInt8) in LabelledFace(pixels: [v, v, v], labels: FaceLabels()) }
        let source = InMemoryFaceSource(provenance: "memory", imageShape: [1, 1, 3], train: [face(1), face(2)], test: [face(9)])
        #expect(SplitFaces<TrainSplit>(source).count == 2 && SplitFaces<CalibrationSplit>(source).count == 0)
        #expect(SplitFaces<TestSplit>(source).description == "memory, test split, 1 faces")
        #expect(source.face(1, in: .train).pixels == [2, 2, 2] && source.face(0, in: .test).pixels == [9, 9, 9])
    }
}

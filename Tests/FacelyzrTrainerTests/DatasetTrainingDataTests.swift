import FacelyzrData
import Foundation
import Testing
@testable import FacelyzrTrainer

@Suite struct DatasetTrainingDataTests {
    /// A dataset of 8x8 gray faces in the project's format: record i is in the test split when
    /// i % 4 == 0, male when i is odd, `i` years old, and is `Smiling` when i % 3 == 0
    /// (unknown when i % 5 == 0); its pixels are all equal to i.
    static func writeDataset(_ directory: String) throws {
        let writer = try DatasetWriter(directory: directory, format: DatasetFormat(width: 8, height: 8, channels: 1), source: "test")
        for i in 0..<40 {
            var labels = FaceLabels(gender: i % 2 == 1 ? 1 : 0, age: Float(i))
            labels.attributes[.smiling] = i % 5 == 0 ? nil : i % 3 == 0
            try writer.append(FaceSample(image: Image(width: 8, height: 8, channels: 1, pixels: [UInt8](repeating: UInt8(i), count: 64)),
                                         labels: labels, split: i % 4 == 0 ? .test : .train, sourceID: "face\(i)"))
        }
        _ = try writer.finish()
    }

    static var architecture: Architecture {
        var a = Architecture.toy
        a.heads[2].labels = ["Smiling"]
        return a
    }

    @Test func batchesCarryTheSplitsImagesAndLabels() throws {
        let folder = temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try Self.writeDataset(folder)
        let reader = try DatasetReader(directory: folder)
        let train = try TrainingFaces(SplitFaces<TrainSplit>(DatasetFaceSource(reader)), architecture: Self.architecture)
        let test = try TrainingFaces(SplitFaces<TestSplit>(DatasetFaceSource(reader)), architecture: Self.architecture)
        #expect(train.count == 30 && test.count == 10)
        let (input, targets) = try train.batch([0, 3])  // records 1 and 5
        #expect(input.shape == [2, 8, 8, 1])
        #expect(input.values[0] == (1 - 128) / 128 && input.values[64] == (5 - 128) / 128)
        #expect(targets[0].values == [1, 1] && targets[1].values == [1, 5])
        #expect(targets[2].values[0] == 0 && targets[2].values[1].isNaN)

        var trainer = try Trainer(architecture: Self.architecture, plan: .toy(pretrainingSteps: 3, supervisedSteps: 3), dataProvenance: train.provenance)
        try trainer.run(train)
        #expect(trainer.phase == .finished)
        let scores = try trainer.evaluate(test, indices: Array(0..<test.count))
        #expect(scores.map(\.count) == [10, 10, 8])
        // Test records 0, 4, ..., 36: all female; ages with median 20, mean distance 10;
        // Smiling known for 8 of them, 3 smile.
        #expect(scores.map(\.constantBaseline) == [1, 10, 5.0 / 8])
    }

    @Test func aHeadLabelledFaceLearnsFaceOrNot() throws {
        let folder = temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let writer = try DatasetWriter(directory: folder, format: DatasetFormat(width: 8, height: 8, channels: 1), source: "test")
        for i in 0..<6 {  // a face, not a face, unlabelled, ...
            try writer.append(FaceSample(image: Image(width: 8, height: 8, channels: 1, pixels: [UInt8](repeating: 9, count: 64)),
                                         labels: FaceLabels(), isFace: i % 3 == 2 ? nil : i % 3 == 0, split: .train, sourceID: "p\(i)"))
        }
        _ = try writer.finish()
        var a = Architecture.toy
        a.heads = [HeadSpec(name: "face", task: .binary, hidden: [], labels: ["face"])]
        let data = try TrainingFaces(SplitFaces<TrainSplit>(DatasetFaceSource(try DatasetReader(directory: folder))), architecture: a)
        let targets = try data.batch([0, 1, 2, 3]).targets
        #expect(targets.count == 1 && targets[0].values[0] == 1 && targets[0].values[1] == 0 && targets[0].values[2].isNaN)
        #expect(targets[0].values[3] == 1)
    }

    @Test func aBoxHeadLearnsFromFacesWithABoxOnly() throws {
        let folder = temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let writer = try DatasetWriter(directory: folder, format: DatasetFormat(width: 8, height: 8, channels: 1, version: 2), source: "test")
        for i in 0..<4 {  // faces with a box, then not-faces (no box: nothing to learn there)
            let box = i < 2 ? FaceBoxOffset(x: 0.25 * Float(i), y: -0.125, logScale: 0.1) : nil
            try writer.append(FaceSample(image: Image(width: 8, height: 8, channels: 1, pixels: [UInt8](repeating: 9, count: 64)),
                                         labels: FaceLabels(faceBox: box), isFace: i < 2, split: .train, sourceID: "p\(i)"))
        }
        _ = try writer.finish()
        var a = Architecture.toy
        a.heads = [HeadSpec(name: "face", task: .binary, hidden: [], labels: ["face"]),
                   HeadSpec(name: "box", task: .regression, hidden: [], labels: ["faceBoxX", "faceBoxY", "faceBoxLogScale"], outputScale: 0.1)]
        let data = try TrainingFaces(SplitFaces<TrainSplit>(DatasetFaceSource(try DatasetReader(directory: folder))), architecture: a)
        let targets = try data.batch([0, 1, 2, 3]).targets
        #expect(targets[0].values == [1, 1, 0, 0])
        #expect(Array(targets[1].values[0..<6]) == [0, -0.125, 0.1, 0.25, -0.125, 0.1])
        #expect(targets[1].values[6...].allSatisfy { $0.isNaN })
    }

    @Test func unknownLabelNamesAndAnotherImageSizeAreRejected() throws {
        let folder = temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try Self.writeDataset(folder)
        let reader = try DatasetReader(directory: folder)
        var unknown = Self.architecture
        unknown.heads[2].labels = ["stripe"]
        #expect(throws: ArchitectureError.self) { try TrainingFaces(SplitFaces<TrainSplit>(DatasetFaceSource(reader)), architecture: unknown) }
        var larger = Self.architecture
        larger.inputHeight = 16
        #expect(throws: ArchitectureError.self) { try TrainingFaces(SplitFaces<TrainSplit>(DatasetFaceSource(reader)), architecture: larger) }
    }
}

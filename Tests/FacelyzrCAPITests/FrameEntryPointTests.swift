import FacelyzrCAPI
import FacelyzrData
import FacelyzrDetection
import FacelyzrHost
import FacelyzrImaging
import FacelyzrRuntime
import Foundation
import Testing

/// The camera-path entry points, called as C would, against the host's `Localiser` on the
/// frame's gray image and `analyze`'s crop (`prepareCenterSquare`).
@Suite struct FrameEntryPointTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../..").standardizedFileURL

    /// A C `fz_frame` of one packed RGB plane with `padding` bytes after each row.
    static func withRGBFrame<R>(_ image: Image, padding: Int, _ body: (UnsafeRawPointer) throws -> R) rethrows -> R {
        let stride = 3 * image.width + padding
        var plane = [UInt8](repeating: 0xA5, count: stride * image.height)
        for y in 0..<image.height {
            plane.replaceSubrange(y * stride..<y * stride + 3 * image.width,
                                  with: image.pixels[3 * y * image.width..<3 * (y + 1) * image.width])
        }
        return try plane.withUnsafeBufferPointer { p in
            let word = MemoryLayout<Int>.size
            let frame = UnsafeMutableRawPointer.allocate(byteCount: 6 * word + 12, alignment: 8)
            defer { frame.deallocate() }
            frame.initializeMemory(as: UInt8.self, repeating: 0, count: 6 * word + 12)
            frame.storeBytes(of: p.baseAddress, as: UnsafePointer<UInt8>?.self)
            frame.storeBytes(of: stride, toByteOffset: 3 * word, as: Int.self)
            frame.storeBytes(of: Int32(image.width), toByteOffset: 6 * word, as: Int32.self)
            frame.storeBytes(of: Int32(image.height), toByteOffset: 6 * word + 4, as: Int32.self)
            frame.storeBytes(of: 1, toByteOffset: 6 * word + 8, as: Int32.self)
            return try body(frame)
        }
    }

    @Test func detectorFitsTheOpaqueStorage() {
        #expect(HeaderTests.defines["FZ_DETECTOR_STORAGE_BYTES"] == detectorStorageByteCount)
        #expect(MemoryLayout<Localiser>.size <= detectorStorageByteCount)
        #expect(MemoryLayout<Localiser>.alignment <= 16)
        #expect(MemoryLayout<DetectionBox>.size == 20 && MemoryLayout<DetectionBox>.stride == 20)
    }

    @Test func detectAndFaceInputMatchTheHost() throws {
        let detector = try LoadedModel(path: Self.root.appendingPathComponent("firmware-model/face-detector.blob").path)
        let describer = try LoadedModel(path: Self.root.appendingPathComponent("firmware-model/facelyzr.blob").path)
        let scene = SyntheticScenes(seed: 0, width: 128, height: 96, faceSizes: 40...64, faceCounts: 1...2)
            .scene(index: Split.test.syntheticIndex(0))
        let image = scene.image

        // The host: a localiser with default settings on the frame's gray image.
        let localiser = try Localiser(model: detector.model, frameWidth: 128, frameHeight: 96)
        let hostWorkspace = UnsafeMutableRawBufferPointer.allocate(byteCount: localiser.workspaceByteCount, alignment: 16)
        defer { hostWorkspace.deallocate() }
        var expected = [DetectionBox](repeating: DetectionBox(x: 0, y: 0, width: 0, height: 0, score: 0), count: 16)
        let expectedCount = try image.grayscale().pixels.withUnsafeBufferPointer { frame throws(DetectionError) in
            try expected.withUnsafeMutableBufferPointer { b throws(DetectionError) in
                try localiser.detect(frame: frame, workspace: hostWorkspace, packedWeights: detector.packedWeights, boxes: b)
            }
        }
        try #require(expectedCount > 0, "the scene's faces are found on the host")

        let model = UnsafeMutableRawPointer.allocate(byteCount: modelStorageByteCount, alignment: modelStorageAlignment)
        let describerStorage = UnsafeMutableRawPointer.allocate(byteCount: modelStorageByteCount, alignment: modelStorageAlignment)
        let storage = UnsafeMutableRawPointer.allocate(byteCount: detectorStorageByteCount, alignment: 16)
        defer { model.deallocate(); describerStorage.deallocate(); storage.deallocate() }
        try #require(fz_model_open(detector.bytes.baseAddress, detector.bytes.count, model, nil) == 0)
        try #require(fz_model_open(describer.bytes.baseAddress, describer.bytes.count, describerStorage, nil) == 0)
        #expect(fz_detector_open(describerStorage, 128, 96, storage) == CStatus.notFaceDetector.rawValue)
        #expect(fz_detector_open(model, 16, 16, storage) == CStatus.noWindowFits.rawValue)
        #expect(fz_detector_open(model, 10_000, 10_000, storage) == CStatus.frameTooLarge.rawValue,
                "a first pyramid level above the localiser's limit is the frame's size, not the model")
        try #require(fz_detector_open(model, 128, 96, storage) == 0)

        let workspace = UnsafeMutableRawPointer.allocate(byteCount: fz_detector_workspace_byte_count(storage), alignment: 16)
        defer { workspace.deallocate() }
        var boxes = [DetectionBox](repeating: DetectionBox(x: 0, y: 0, width: 0, height: 0, score: 0), count: 16)
        var count = 0
        try Self.withRGBFrame(image, padding: 5) { frame in
            #expect(fz_detector_detect(storage, frame, workspace, detector.packedWeights, &boxes, boxes.count, &count) == 0)
            #expect(Array(boxes.prefix(count)) == Array(expected.prefix(expectedCount)))

            let input = describer.input
            for box in boxes.prefix(count) {
                var box = box
                let bytes = fz_face_input_workspace_byte_count(describerStorage, frame, &box)
                let faceWorkspace = UnsafeMutableRawPointer.allocate(byteCount: bytes, alignment: 16)
                defer { faceWorkspace.deallocate() }
                var pixels = [UInt8](repeating: 0, count: input.width * input.height * input.channels)
                #expect(fz_face_input(describerStorage, frame, &box, &pixels, faceWorkspace) == 0)
                // What `facelyzr analyze --detect` crops for a face box.
                let s = FaceFraming.describeSquare(faceX: box.x, faceY: box.y, faceSide: box.width,
                                                   frameWidth: image.width, frameHeight: image.height)
                let host = DatasetImporter.prepareCenterSquare(
                    image.cropped(x: s.x, y: s.y, width: s.width, height: s.height),
                    size: input.width, channels: input.channels)
                #expect(pixels == host.pixels)
            }

            // Detect + describe in one call: the same boxes, and each face's outputs those of
            // the host model on the host's crop.
            let describeWorkspace = UnsafeMutableRawPointer.allocate(
                byteCount: fz_describe_workspace_byte_count(storage, describerStorage, 1), alignment: 16)
            defer { describeWorkspace.deallocate() }
            let outputCount = describer.model.outputCount
            var described = [DetectionBox](repeating: DetectionBox(x: 0, y: 0, width: 0, height: 0, score: 0), count: 4)
            var outputs = [Int32](repeating: 0, count: 4 * outputCount)
            var describedCount = 0
            #expect(fz_detect_describe(storage, detector.packedWeights, describerStorage, describer.packedWeights, frame,
                                       describeWorkspace, 4, &described, &outputs, &describedCount) == 0)
            #expect(describedCount == min(4, count))
            #expect(Array(described.prefix(describedCount)) == Array(boxes.prefix(describedCount)))
            for (face, box) in described.prefix(describedCount).enumerated() {
                let s = FaceFraming.describeSquare(faceX: box.x, faceY: box.y, faceSide: box.width,
                                                   frameWidth: image.width, frameHeight: image.height)
                let host = DatasetImporter.prepareCenterSquare(
                    image.cropped(x: s.x, y: s.y, width: s.width, height: s.height),
                    size: input.width, channels: input.channels)
                host.pixels.withUnsafeBufferPointer { describer.run($0) }
                #expect(Array(outputs[face * outputCount..<(face + 1) * outputCount]) == Array(describer.rawOutputs))
            }

            // Split as threads do: the levels scored in two workspaces (odd, then even ones),
            // collected in the first; each face described in its own face workspace.
            let levels = fz_detector_level_count(storage)
            try #require(levels >= 2)
            let second = UnsafeMutableRawPointer.allocate(byteCount: fz_detector_workspace_byte_count(storage), alignment: 16)
            let faceWorkspace = UnsafeMutableRawPointer.allocate(
                byteCount: fz_describe_face_workspace_byte_count(describerStorage, 128, 96, 1), alignment: 16)
            defer { second.deallocate(); faceWorkspace.deallocate() }
            var scores = [Float](repeating: -1, count: fz_detector_score_offset(storage, levels))
            #expect(fz_detector_prepare(storage, frame, workspace, detector.packedWeights) == 0)
            #expect(fz_detector_prepare(storage, frame, second, detector.packedWeights) == 0)
            for k in stride(from: 1, to: levels, by: 2) {
                #expect(fz_detector_score_levels(storage, k, k + 1, second, detector.packedWeights, &scores) == 0)
            }
            for k in stride(from: 0, to: levels, by: 2) {
                #expect(fz_detector_score_levels(storage, k, k + 1, workspace, detector.packedWeights, &scores) == 0)
            }
            #expect(fz_detector_score_levels(storage, 1, levels + 1, workspace, nil, &scores) == CStatus.invalidLevels.rawValue)
            #expect(fz_detector_score_levels(storage, 2, 1, workspace, nil, &scores) == CStatus.invalidLevels.rawValue)
            #expect(!scores.contains(-1))
            var collected = [DetectionBox](repeating: DetectionBox(x: 0, y: 0, width: 0, height: 0, score: 0), count: 16)
            var collectedCount = 0
            fz_detector_collect(storage, scores, workspace, &collected, collected.count, &collectedCount)
            #expect(Array(collected.prefix(collectedCount)) == Array(boxes.prefix(count)))
            for face in 0..<describedCount {
                var faceOutputs = [Int32](repeating: 0, count: outputCount)
                #expect(fz_describe_face(describerStorage, describer.packedWeights, frame, &collected[face], faceWorkspace,
                                         &faceOutputs) == 0)
                #expect(faceOutputs == Array(outputs[face * outputCount..<(face + 1) * outputCount]))
            }
        }
    }
}

import FacelyzrData
import FacelyzrDetection
import FacelyzrRuntime
import Foundation
import Testing

/// The shipped face / not-face model (firmware-model/face-detector.blob) on held-out synthetic
/// scenes with known faces: small 128x96 scenes and face boxes (face squares) of 40 to 64 pixels, so the debug
/// build (about 300 windows a scene) stays quick.
@Suite struct ShippedDetectorTests {
    static let path = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("../../firmware-model/face-detector.blob").standardizedFileURL.path

    /// The shipped model's boxes in `scene` (gray) with `configuration`.
    static func detect(_ scene: SyntheticScene, configuration: LocaliserConfiguration = LocaliserConfiguration()) throws -> [DetectionBox] {
        let bytes = try AlignedBytes([UInt8](Data(contentsOf: URL(fileURLWithPath: Self.path))))
        let model = try bytes.model()
        let localiser = try Localiser(model: model, frameWidth: scene.image.width, frameHeight: scene.image.height,
                                      configuration: configuration)
        let workspace = UnsafeMutableRawBufferPointer.allocate(byteCount: localiser.workspaceByteCount, alignment: 16)
        defer { workspace.deallocate() }
        let packed = UnsafeMutableRawBufferPointer.allocate(byteCount: max(model.packedWeightsByteCount(for: DefaultKernels.self), 1), alignment: 64)
        defer { packed.deallocate() }
        model.packWeights(for: DefaultKernels.self, into: packed.baseAddress!)
        var boxes = [DetectionBox](repeating: DetectionBox(x: 0, y: 0, width: 0, height: 0, score: 0), count: 64)
        let count = try scene.image.grayscale().pixels.withUnsafeBufferPointer { frame throws(DetectionError) in
            try boxes.withUnsafeMutableBufferPointer { b throws(DetectionError) in
                try localiser.detect(frame: frame, workspace: workspace, packedWeights: UnsafeRawPointer(packed.baseAddress!), boxes: b)
            }
        }
        return Array(boxes.prefix(count))
    }

    /// A scene's true face box as a `DetectionBox`.
    static func truth(_ face: SceneFace) -> DetectionBox {
        DetectionBox(x: Float(face.box.x), y: Float(face.box.y), width: Float(face.box.width), height: Float(face.box.height), score: 0)
    }

    /// Crafted scenes (the synthetic scenes' clutter, four faces of 30 to 80 pixels where the test
    /// puts them), default settings: each face gets one box, and it frames the face.
    @Test func oneBoxPerFaceOnCraftedScenes() throws {
        let scenes = SyntheticScenes(seed: 0, width: 256, height: 192)
        let faces = [SceneBox(x: 20, y: 20, width: 30, height: 30), SceneBox(x: 90, y: 20, width: 42, height: 42),
                     SceneBox(x: 170, y: 20, width: 58, height: 58), SceneBox(x: 60, y: 104, width: 80, height: 80)]
        for i in 0..<2 {
            let scene = scenes.scene(index: Split.test.syntheticIndex(UInt64(i)), faces: faces)
            let boxes = try Self.detect(scene)
            for face in scene.faces {
                let touching = boxes.filter { $0.intersectionOverUnion(Self.truth(face)) >= 0.2 }
                #expect(touching.count == 1, "scene \(i), face \(face.box): \(touching.count) boxes")
                #expect(touching.allSatisfy { $0.intersectionOverUnion(Self.truth(face)) >= 0.5 }, "scene \(i), face \(face.box): \(touching)")
            }
        }
    }

    @Test func findsTheFacesOfHeldOutScenes() throws {
        let scenes = SyntheticScenes(seed: 0, width: 128, height: 96, faceSizes: 40...64, faceCounts: 1...2)
        var faces = 0, found = 0, extra = 0
        for i in 0..<3 {
            let scene = scenes.scene(index: Split.test.syntheticIndex(UInt64(i)))
            let kept = try Self.detect(scene, configuration: LocaliserConfiguration(minimumFaceSize: 36))
            faces += scene.faces.count
            for face in scene.faces where kept.contains(where: { $0.intersectionOverUnion(Self.truth(face)) >= 0.5 }) { found += 1 }
            extra += kept.filter { box in !scene.faces.contains { Self.truth($0).intersectionOverUnion(box) >= 0.5 } }.count
        }
        #expect(faces == 3 && found == faces, "found \(found) of \(faces) faces")
        #expect(extra <= 4, "\(extra) boxes on no face")
    }
}

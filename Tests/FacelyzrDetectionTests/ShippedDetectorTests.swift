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

    @Test func findsTheFacesOfHeldOutScenes() throws {
        let bytes = try AlignedBytes([UInt8](Data(contentsOf: URL(fileURLWithPath: Self.path))))
        let model = try bytes.model()
        let scenes = SyntheticScenes(seed: 0, width: 128, height: 96, faceSizes: 40...64, faceCounts: 1...2)
        let localiser = try Localiser(model: model, frameWidth: 128, frameHeight: 96,
                                      configuration: LocaliserConfiguration(minimumFaceSize: 36))
        let workspace = UnsafeMutableRawBufferPointer.allocate(byteCount: localiser.workspaceByteCount, alignment: 16)
        defer { workspace.deallocate() }
        let packed = UnsafeMutableRawBufferPointer.allocate(byteCount: max(model.packedWeightsByteCount(for: DefaultKernels.self), 1), alignment: 64)
        defer { packed.deallocate() }
        model.packWeights(for: DefaultKernels.self, into: packed.baseAddress!)
        var boxes = [DetectionBox](repeating: DetectionBox(x: 0, y: 0, width: 0, height: 0, score: 0), count: 32)
        var faces = 0, found = 0, extra = 0
        for i in 0..<3 {
            let scene = scenes.scene(index: Split.test.syntheticIndex(UInt64(i)))
            let gray = scene.image.grayscale()
            let count = try gray.pixels.withUnsafeBufferPointer { frame throws(DetectionError) in
                try boxes.withUnsafeMutableBufferPointer { b throws(DetectionError) in
                    try localiser.detect(frame: frame, workspace: workspace, packedWeights: UnsafeRawPointer(packed.baseAddress!), boxes: b)
                }
            }
            let kept = boxes.prefix(count)
            faces += scene.faces.count
            for face in scene.faces {
                let truth = DetectionBox(x: Float(face.box.x), y: Float(face.box.y), width: Float(face.box.width),
                                         height: Float(face.box.height), score: 0)
                if kept.contains(where: { $0.intersectionOverUnion(truth) >= 0.5 }) { found += 1 }
            }
            extra += kept.filter { box in
                !scene.faces.contains { DetectionBox(x: Float($0.box.x), y: Float($0.box.y), width: Float($0.box.width),
                                                     height: Float($0.box.height), score: 0).intersectionOverUnion(box) >= 0.5 }
            }.count
        }
        #expect(faces == 3 && found == faces, "found \(found) of \(faces) faces")
        #expect(extra <= 4, "\(extra) boxes on no face")
    }
}

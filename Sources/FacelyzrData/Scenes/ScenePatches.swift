import FacelyzrRandom

/// Face / not-face training patches cut from synthetic scenes (docs/detection.md "Patches").
///
/// Scene `i` of a split (a `SyntheticScenes` scene with 1 to 3 faces) gives `perScene` gray
/// `size` x `size` patches, area-resampled from boxes of the gray scene: half are faces (a face's
/// box, shifted by up to 1/12 of its size and scaled by 0.88 to 1.13, what a sliding window
/// near the face sees), half are not: boxes anywhere in the clutter, and boxes near a face
/// (shifted half a face away, a part of it, or the face with its surroundings), all with
/// intersection over union below 0.35 with every face. Deterministic from (seed, split, index).
public struct ScenePatches: Sendable {
    /// Bumped by every change that alters a patch or its label (with the scene generator's version).
    public static let samplerVersion = 1
    /// Patches cut from one scene.
    public static let perScene = 16

    public let scenes: SyntheticScenes
    /// Width and height of a patch.
    public let size: Int

    public init(seed: UInt64 = 0, size: Int = 24) {
        scenes = SyntheticScenes(seed: seed, faceCounts: 1...3)
        self.size = size
    }

    /// Scene `sceneIndex` of `split`, the one `patches(split:scene:)` cuts.
    public func scene(split: Split, index sceneIndex: Int) -> SyntheticScene {
        scenes.scene(index: split.syntheticIndex(UInt64(sceneIndex)))
    }

    /// The patch of `gray` (a gray scene) in `box`, shrunk to fit the scene, area-resampled to `size`.
    public func patch(_ gray: Image, box: SceneBox) -> Image {
        let b = clamped(box)
        return gray.cropped(x: b.x, y: b.y, width: b.width, height: b.height).resized(width: size, height: size, method: .area)
    }

    /// The source ID of patch `number` of scene `sceneIndex` of `split` (`kind`: `""` for the
    /// sampled patches, or another word such as `hard` for patches chosen elsewhere).
    public func sourceID(split: Split, scene sceneIndex: Int, number: Int, kind: String = "") -> String {
        "scene-patches/v\(Self.samplerVersion).\(SyntheticScenes.generatorVersion)/seed\(scenes.seed)/"
            + "scene\(split.syntheticIndex(UInt64(sceneIndex)))/\(kind)\(number)"
    }

    /// The `perScene` patches of scene `sceneIndex` of `split`, labelled face / not face.
    public func patches(split: Split, scene sceneIndex: Int) -> [FaceSample] {
        let index = split.syntheticIndex(UInt64(sceneIndex))
        let scene = scenes.scene(index: index)
        let gray = scene.image.grayscale()
        var rng = SplitMix64(seed: scenes.seed ^ 0xBA7C_4E5, index: index)
        var samples: [FaceSample] = []
        func add(_ box: SceneBox, isFace: Bool) {
            samples.append(FaceSample(image: patch(gray, box: box), labels: FaceLabels(), isFace: isFace, split: split,
                                      sourceID: sourceID(split: split, scene: sceneIndex, number: samples.count)))
        }
        let boxes = scene.faces.map(\.box)
        for k in 0..<(Self.perScene / 2) {
            let face = boxes[k % boxes.count]
            let side = Int((Float(face.width) * rng.uniform(0.88, 1.13)).rounded())
            let shift = max(1, face.width / 12)
            let x = face.x + (face.width - side) / 2 + rng.below(2 * shift + 1) - shift
            let y = face.y + (face.height - side) / 2 + rng.below(2 * shift + 1) - shift
            add(clamped(SceneBox(x: x, y: y, width: side, height: side)), isFace: true)
        }
        var negatives = 0
        var attempts = 0
        while negatives < Self.perScene / 2 && attempts < 200 {
            attempts += 1
            let box: SceneBox
            if negatives % 2 == 0 {  // anywhere
                let side = scenes.faceSizes.lowerBound + rng.below(min(scenes.width, scenes.height) - scenes.faceSizes.lowerBound + 1)
                box = SceneBox(x: rng.below(scenes.width - side + 1), y: rng.below(scenes.height - side + 1), width: side, height: side)
            } else {  // near a face: shifted, a part, or with its surroundings
                let face = boxes[rng.below(boxes.count)]
                let scale: Float = switch rng.below(3) {
                case 0: rng.uniform(0.9, 1.1)
                case 1: rng.uniform(0.35, 0.6)
                default: rng.uniform(1.8, 2.6)
                }
                let side = max(8, Int(Float(face.width) * scale))
                let dx = Int(rng.uniform(-0.8, 0.8) * Float(face.width)), dy = Int(rng.uniform(-0.8, 0.8) * Float(face.width))
                box = clamped(SceneBox(x: face.x + (face.width - side) / 2 + dx, y: face.y + (face.height - side) / 2 + dy,
                                       width: side, height: side))
            }
            guard boxes.allSatisfy({ $0.intersectionOverUnion(box) < 0.35 }) else { continue }
            add(box, isFace: false)
            negatives += 1
        }
        return samples
    }

    /// `box` shrunk to fit the scene, then moved inside it.
    private func clamped(_ box: SceneBox) -> SceneBox {
        let side = min(box.width, scenes.width, scenes.height)
        return SceneBox(x: min(max(0, box.x), scenes.width - side), y: min(max(0, box.y), scenes.height - side),
                        width: side, height: side)
    }
}

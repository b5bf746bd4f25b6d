/// Whole synthetic scenes as unlabelled `size` x `size` RGB pictures, split by split
/// (`Split.syntheticIndex`): a detector's calibration and evaluation frames, the ones
/// `facelyzr scenes --frames F --frame-size SxS --format rgb24 --split SPLIT` writes.
public struct SceneFrameSource: FaceSource {
    public let scenes: SyntheticScenes

    /// The scenes of population `seed` at `size` x `size` (at least 8): faces of 28 to 96 pixels,
    /// as `facelyzr scenes` draws them, or up to `size` in smaller scenes.
    public init(seed: UInt64 = 0, size: Int) {
        scenes = SyntheticScenes(seed: seed, width: size, height: size, faceSizes: min(28, size)...min(96, size))
    }

    public var provenance: String {
        "synthetic scenes (generator version \(SyntheticScenes.generatorVersion), seed \(scenes.seed)), \(scenes.width)x\(scenes.height) RGB"
    }
    public var imageShape: [Int] { [scenes.height, scenes.width, 3] }
    public func count(in split: Split) -> Int { Int(min(split.syntheticCount, UInt64(Int.max))) }

    public func face(_ index: Int, in split: Split) -> LabelledFace {
        LabelledFace(pixels: scenes.scene(index: split.syntheticIndex(UInt64(index))).image.pixels, labels: FaceLabels())
    }
}

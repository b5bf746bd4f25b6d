import FacelyzrImaging
import FacelyzrRandom
import FacelyzrSynthetic

/// Synthetic scenes for face localisation: a cluttered RGB picture with 0 to 3 synthetic faces
/// pasted at known boxes and sizes, deterministic from (seed, index) like `SyntheticFaces`.
///
/// A face's box is its face square (forehead to chin, `FaceFraming`: the box a detector should
/// report); the face generator's picture (face, hair, shoulders) is rendered around it
/// (`FaceFraming.picture(ofFace:_:side:)`) and blended in through a feathered ellipse, so no
/// square edge betrays it, clipped where it crosses the scene's edge. The clutter
/// is a two-colour gradient under rectangles, ellipses, bars and striped patches, plus pixel
/// noise. Scene `index` of a split is `split.syntheticIndex(i)`, so the splits share no scene.
/// See docs/detection.md "Synthetic scenes".
public struct SyntheticScenes: Sendable {
    /// Bumped by every change that alters any generated scene or box.
    public static let generatorVersion = 2

    /// Selects one of 2^64 independent populations of scenes.
    public let seed: UInt64
    public let width: Int
    public let height: Int
    /// Face boxes (face squares) are squares of `faceSizes` pixels (`low + (high - low) * u^2`,
    /// u uniform: small faces more often, basic arithmetic only, so the same on every platform),
    /// always inside the scene; the pictures around them are `1 / FaceFraming.faceSide` larger.
    public let faceSizes: ClosedRange<Int>
    /// How many faces a scene holds (drawn uniformly).
    public let faceCounts: ClosedRange<Int>

    public init(seed: UInt64 = 0, width: Int = 320, height: Int = 240, faceSizes: ClosedRange<Int> = 28...96,
                faceCounts: ClosedRange<Int> = 0...3) {
        precondition(faceSizes.lowerBound >= 8 && faceSizes.upperBound <= min(width, height), "faces must fit the scene")
        precondition(faceCounts.lowerBound >= 0, "face counts are not negative")
        self.seed = seed
        self.width = width
        self.height = height
        self.faceSizes = faceSizes
        self.faceCounts = faceCounts
    }

    /// Scene `index` (RGB, `width` x `height`) and the faces in it.
    public func scene(index: UInt64) -> SyntheticScene {
        var rng = SplitMix64(seed: seed ^ 0x5CE9_E5CE_9E5C_E9E5, index: index)
        var image = Image(width: width, height: height, channels: 3)
        paintClutter(&image, rng: &rng)
        let faceCount = faceCounts.lowerBound + rng.below(faceCounts.count)
        var boxes: [(box: SceneBox, face: Int)] = []
        let low = Float(faceSizes.lowerBound), span = Float(faceSizes.upperBound - faceSizes.lowerBound)
        for k in 0..<faceCount {
            for _ in 0..<20 {  // rejection sampling: no face square overlaps another face's picture
                let u = rng.unit()
                let size = min(faceSizes.upperBound, Int(low + span * u * u))
                let box = SceneBox(x: rng.below(width - size + 1), y: rng.below(height - size + 1), width: size, height: size)
                let picture = Self.picture(ofFace: box)
                guard boxes.allSatisfy({ Self.picture(ofFace: $0.box).intersectionArea(box) == 0 && $0.box.intersectionArea(picture) == 0 })
                else { continue }
                boxes.append((box, k))
                break
            }
        }
        return render(&image, index: index, faces: boxes, rng: &rng)
    }

    /// Scene `index`'s clutter with faces whose face squares are `faces` (crafted scenes for
    /// tests: the caller chooses where faces are and how large; a square may overlap another
    /// face's picture, which is then drawn over it). Face `k` is the one scene `index` would
    /// draw `k`-th; there are at most 4.
    public func scene(index: UInt64, faces: [SceneBox]) -> SyntheticScene {
        precondition(faces.count <= 4)
        var rng = SplitMix64(seed: seed ^ 0x5CE9_E5CE_9E5C_E9E5, index: index)
        var image = Image(width: width, height: height, channels: 3)
        paintClutter(&image, rng: &rng)
        _ = rng.below(faceCounts.count)
        return render(&image, index: index, faces: faces.enumerated().map { ($0.element, $0.offset) }, rng: &rng)
    }

    /// Draws scene `index`'s face `face` of the generator around each face square `box`, then the noise.
    private func render(_ image: inout Image, index: UInt64, faces boxes: [(box: SceneBox, face: Int)], rng: inout SplitMix64)
        -> SyntheticScene {
        var faces: [SceneFace] = []
        for (box, k) in boxes {
            let picture = Self.picture(ofFace: box)
            let generator = SyntheticFaces(seed: SplitMix64.mix(seed ^ 0xFACE), size: picture.width)
            let (face, labels) = generator.sample(index: index &* 4 &+ UInt64(k))
            paste(face, into: &image, at: picture)
            faces.append(SceneFace(box: box, picture: picture, labels: labels))
        }
        addNoise(&image, rng: &rng)
        return SyntheticScene(image: image, faces: faces)
    }

    /// The generator picture drawn around the face square `box`: `FaceFraming.picture(ofFace:_:side:)`
    /// rounded to whole pixels (it may reach past the scene's edges).
    public static func picture(ofFace box: SceneBox) -> SceneBox {
        let p = FaceFraming.picture(ofFace: Float(box.x), Float(box.y), side: Float(box.width))
        let side = Int(p.side.rounded())
        return SceneBox(x: Int(p.x.rounded()), y: Int(p.y.rounded()), width: side, height: side)
    }

    private func paintClutter(_ image: inout Image, rng: inout SplitMix64) {
        func color(_ rng: inout SplitMix64) -> (Float, Float, Float) {
            let level = rng.uniform(0.05, 0.95) * 255
            return (level + rng.uniform(-40, 40), level + rng.uniform(-40, 40), level + rng.uniform(-40, 40))
        }
        let first = color(&rng), second = color(&rng)
        let horizontal = rng.chance(0.5)
        for y in 0..<height {
            for x in 0..<width {
                let t = horizontal ? Float(x) / Float(width) : Float(y) / Float(height)
                set(&image, x, y, (first.0 + (second.0 - first.0) * t, first.1 + (second.1 - first.1) * t,
                                   first.2 + (second.2 - first.2) * t))
            }
        }
        let shapes = 12 + rng.below(24)
        for _ in 0..<shapes {
            let c = color(&rng), other = color(&rng)
            let w = 4 + rng.below(width / 3), h = 4 + rng.below(height / 3)
            let x0 = rng.below(width) - w / 2, y0 = rng.below(height) - h / 2
            let kind = rng.below(4)
            let period = 2 + rng.below(8)
            for y in max(0, y0)..<min(height, y0 + h) {
                for x in max(0, x0)..<min(width, x0 + w) {
                    switch kind {
                    case 0:  // rectangle
                        set(&image, x, y, c)
                    case 1:  // ellipse
                        let u = (Float(x - x0) + 0.5) / Float(w) * 2 - 1, v = (Float(y - y0) + 0.5) / Float(h) * 2 - 1
                        if u * u + v * v <= 1 { set(&image, x, y, c) }
                    case 2:  // thin bar along the longer side
                        if (w > h ? (y - y0) * 4 < h : (x - x0) * 4 < w) { set(&image, x, y, c) }
                    default:  // stripes
                        set(&image, x, y, ((x + y) / period) % 2 == 0 ? c : other)
                    }
                }
            }
        }
    }

    /// Blends `face` over the box through an ellipse (half-axes 0.42 and 0.5 of the box) with a
    /// feathered rim, so the face's own background fades into the clutter; only the part of the
    /// box inside the scene is drawn.
    private func paste(_ face: Image, into image: inout Image, at box: SceneBox) {
        let size = Float(box.width)
        for y in max(0, -box.y)..<min(box.height, height - box.y) {
            for x in max(0, -box.x)..<min(box.width, width - box.x) {
                let u = (Float(x) + 0.5 - size / 2) / (0.42 * size), v = (Float(y) + 0.5 - size / 2) / (0.5 * size)
                let r = (u * u + v * v).squareRoot()
                let alpha = min(1, max(0, (1.05 - r) / 0.15))
                guard alpha > 0 else { continue }
                let s = (y * box.width + x) * 3, d = ((box.y + y) * width + box.x + x) * 3
                for c in 0..<3 {
                    let blended = alpha * Float(face.pixels[s + c]) + (1 - alpha) * Float(image.pixels[d + c])
                    image.pixels[d + c] = UInt8(min(255, max(0, blended.rounded())))
                }
            }
        }
    }

    private func addNoise(_ image: inout Image, rng: inout SplitMix64) {
        let amplitude = rng.uniform(0, 12)
        for i in image.pixels.indices {
            let noisy = Float(image.pixels[i]) + amplitude * (rng.unit() * 2 - 1)
            image.pixels[i] = UInt8(min(255, max(0, noisy.rounded())))
        }
    }

    private func set(_ image: inout Image, _ x: Int, _ y: Int, _ c: (Float, Float, Float)) {
        let i = (y * width + x) * 3
        image.pixels[i] = UInt8(min(255, max(0, c.0.rounded())))
        image.pixels[i + 1] = UInt8(min(255, max(0, c.1.rounded())))
        image.pixels[i + 2] = UInt8(min(255, max(0, c.2.rounded())))
    }
}

/// A generated scene: the picture and the faces pasted into it.
public struct SyntheticScene: Sendable, Equatable {
    public var image: Image
    public var faces: [SceneFace]
}

/// One face of a scene: where it is and who it is.
public struct SceneFace: Sendable, Equatable {
    /// The face square (forehead to chin; `FaceFraming`), inside the scene: the true detection box.
    public var box: SceneBox
    /// The generator picture drawn around it (`SyntheticScenes.picture(ofFace:)`), which may
    /// reach past the scene's edges: what the attribute model reads.
    public var picture: SceneBox
    public var labels: FaceLabels
}

/// An axis-aligned box in pixels: columns `x ..< x + width`, rows `y ..< y + height`.
public struct SceneBox: Sendable, Equatable, Hashable {
    public var x: Int
    public var y: Int
    public var width: Int
    public var height: Int

    public init(x: Int, y: Int, width: Int, height: Int) {
        self.x = x
        self.y = y
        self.width = width
        self.height = height
    }

    /// Pixels this box shares with `other`.
    public func intersectionArea(_ other: SceneBox) -> Int {
        let w = min(x + width, other.x + other.width) - max(x, other.x)
        let h = min(y + height, other.y + other.height) - max(y, other.y)
        return max(0, w) * max(0, h)
    }

    /// Intersection over union with `other` (0 when both are empty).
    public func intersectionOverUnion(_ other: SceneBox) -> Float {
        let i = intersectionArea(other)
        let union = width * height + other.width * other.height - i
        return union > 0 ? Float(i) / Float(union) : 0
    }
}

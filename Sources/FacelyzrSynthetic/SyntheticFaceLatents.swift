import FacelyzrRandom

/// Everything the generator draws for one face before rendering it: who the person is (the
/// cues that carry gender, age and attributes) and how the picture is taken (nuisance).
///
/// Cues overlap as in real faces: each gender cue is a group mean, scaled by puberty, plus an
/// individual deviation; each age cue is a ramp in age with an individual onset. The maths and
/// the rates are in docs/synthetic-faces.md "Population".
public struct SyntheticFaceLatents: Sendable {
    // MARK: Identity
    public var male: Bool
    public var age: Float

    // MARK: Age cues (0...1 unless stated)
    /// 1 for a toddler, 0 for an adult: head and feature proportions.
    public var childness: Float
    /// Forehead lines, crow's feet, nasolabial folds.
    public var wrinkles: Float
    /// Fraction of hair gone grey.
    public var greyness: Float
    /// 0 full hair, 1 bald crown (men mostly).
    public var baldness: Float
    /// Amplitude of skin blotches and age spots.
    public var skinTexture: Float
    /// Bags under the eyes.
    public var eyeBags: Float
    /// Lengthening of nose and lower face in old age.
    public var sagging: Float

    // MARK: Gender cues (signed deviations around 0 unless stated; positive = masculine)
    public var jawWidth: Float
    public var jawSquareness: Float
    public var browThickness: Float
    public var browArch: Float
    public var lipFullness: Float
    public var noseSize: Float
    public var neckWidth: Float
    /// 0 (cropped) to 1 (below the shoulders).
    public var hairLength: Float
    /// 0 straight to 1 curly.
    public var hairWave: Float
    public var bangs: Bool
    public var facialHair: FacialHair
    /// 0 none, else 0.4...1.
    public var makeup: Float
    public var lipstick: Bool
    public var earrings: Bool

    // MARK: Other appearance
    /// 0 very pale to 1 very dark.
    public var skinTone: Float
    public var rosiness: Float
    public var hairColor: HairColor
    public var eyeOpenness: Float
    public var irisColor: Int
    public var chubbiness: Float
    public var smiling: Bool
    public var smileAmount: Float
    public var mouthOpen: Bool
    public var mouthOpenAmount: Float
    public var eyeglasses: Bool
    public var sunglasses: Bool
    public var hat: Bool
    public var hatColor: Int
    public var clothingColor: Int

    // MARK: Nuisance (how the picture is taken)
    public var rollDegrees: Float
    public var yawDegrees: Float
    public var scale: Float
    /// Translation in pixels of a 64x64 image.
    public var translationX: Float
    public var translationY: Float
    public var ambient: Float
    public var lightStrength: Float
    /// Light direction angle in the image plane, radians in [-pi, pi].
    public var lightAngle: Float
    public var lightTint: (Float, Float, Float)
    public var background: BackgroundKind
    /// Seeds the background, textures and sensor noise of this face.
    public var textureKey: UInt64
    public var noiseSD: Float
    /// 0 none, else 0.3...1 (a blend towards a 3x3 blur, applied once or twice).
    public var blur: Float
    public var occlusion: Bool

    /// Facial hair styles (men from puberty on).
    public enum FacialHair: Int, Sendable, Equatable {
        case none, stubble, mustache, goatee, goateeAndMustache, fullBeard
    }

    /// Base hair colours; greyness blends towards grey-white.
    public enum HairColor: Int, Sendable, Equatable {
        case black, brown, blond, red
    }

    /// Background kinds, indexing ``SyntheticFaceConfiguration/backgroundWeights``.
    public enum BackgroundKind: Int, Sendable, Equatable {
        case gradient, texture, clutter, stripes
    }
}

extension SyntheticFaceLatents {
    /// Draws the latents of one face from `rng` (the face's own stream), in a fixed order:
    /// changing the order changes the images and bumps ``SyntheticFaces/generatorVersion``.
    public init(drawingFrom rng: inout SplitMix64, configuration c: SyntheticFaceConfiguration) {
        male = rng.chance(c.maleRate)
        age = rng.uniform(c.ageRange.lowerBound, c.ageRange.upperBound)
        let sign: Float = male ? 1 : -1
        func clamp01(_ x: Float) -> Float { DeterministicMath.clamp(x, 0, 1) }
        func ramp(_ x: Float, _ start: Float, _ span: Float) -> Float { clamp01((x - start) / span) }

        // Age cues: ramps with individual onsets.
        childness = clamp01(1 - DeterministicMath.smoothstep(1, 17, age + rng.normal(sd: 1.5)))
        let puberty = DeterministicMath.smoothstep(10, 17, age + rng.normal(sd: 1.5))
        wrinkles = ramp(age, rng.normal(mean: 33, sd: 7), 40)
        greyness = ramp(age, rng.normal(mean: 50, sd: 10), 22)
        let baldOnset = male ? rng.normal(mean: 52, sd: 16) : rng.normal(mean: 95, sd: 8)
        baldness = ramp(age, baldOnset, 28)
        skinTexture = clamp01((age - 20) / 70 + rng.normal(sd: 0.08))
        eyeBags = clamp01((age - 38) / 45 + rng.normal(sd: 0.12))
        sagging = ramp(age, rng.normal(mean: 55, sd: 8), 35)

        // Gender cues: group mean (scaled by puberty) plus an individual deviation.
        func cue(_ effect: Float, _ spread: Float) -> Float {
            sign * effect * puberty + rng.normal(sd: spread)
        }
        jawWidth = cue(1, 0.7)
        jawSquareness = cue(1, 0.7)
        browThickness = cue(1, 0.6)
        browArch = cue(-1, 0.7)
        lipFullness = cue(-0.8, 0.7)
        noseSize = cue(0.8, 0.7) + 0.6 * sagging
        neckWidth = cue(1, 0.6)
        hairLength = clamp01(rng.normal(mean: male ? 0.18 : 0.68, sd: 0.2))
        hairWave = clamp01(rng.normal(mean: 0.3, sd: 0.3))
        bangs = rng.chance(male ? c.bangsRate / 3 : c.bangsRate)

        let beardAge = DeterministicMath.smoothstep(14, 18, age)
        let hasFacialHair = rng.chance(c.facialHairRate * beardAge)
        let beardStyle = rng.below(5)
        facialHair = male && hasFacialHair ? FacialHair(rawValue: beardStyle + 1)! : .none
        let makeupAge = DeterministicMath.smoothstep(12, 16, age)
        let madeUp = rng.chance((male ? c.makeupRate / 20 : c.makeupRate) * makeupAge)
        makeup = madeUp ? rng.uniform(0.4, 1) : 0
        let casualLipstick = rng.chance(male ? 0 : 0.1 * makeupAge)
        lipstick = madeUp ? rng.chance(0.85) : casualLipstick
        earrings = rng.chance((male ? c.earringsRate / 10 : c.earringsRate) * DeterministicMath.smoothstep(3, 10, age))

        // Other appearance.
        skinTone = rng.unit()
        rosiness = clamp01(rng.normal(mean: 0.3 + 0.3 * childness, sd: 0.2))
        let hairDraw = rng.unit() - 0.25 * childness * (1 - skinTone)
        let blackShare = 0.15 + 0.8 * skinTone
        if hairDraw < blackShare {
            hairColor = .black
        } else if hairDraw < blackShare + (1 - blackShare) * 0.5 {
            hairColor = .brown
        } else if hairDraw < blackShare + (1 - blackShare) * 0.88 {
            hairColor = .blond
        } else {
            hairColor = .red
        }
        eyeOpenness = clamp01(rng.normal(mean: 0.6, sd: 0.18))
        irisColor = rng.below(4)
        chubbiness = clamp01(rng.normal(mean: 0.3 + 0.3 * childness, sd: 0.2))
        smiling = rng.chance(c.smilingRate)
        smileAmount = smiling ? rng.uniform(0.45, 1) : rng.uniform(-0.15, 0.15)
        mouthOpen = rng.chance(c.mouthOpenRate)
        mouthOpenAmount = mouthOpen ? rng.uniform(0.45, 1) : 0
        eyeglasses = rng.chance(c.eyeglassesRate)
        sunglasses = eyeglasses && rng.chance(0.2)
        hat = rng.chance(c.hatRate)
        hatColor = rng.below(6)
        clothingColor = rng.below(8)

        // Nuisance.
        rollDegrees = rng.uniform(-c.maxRollDegrees, c.maxRollDegrees)
        yawDegrees = rng.uniform(-c.maxYawDegrees, c.maxYawDegrees)
        scale = rng.uniform(1 - c.maxScaleChange, 1 + c.maxScaleChange)
        translationX = rng.uniform(-c.maxTranslation, c.maxTranslation)
        translationY = rng.uniform(-c.maxTranslation, c.maxTranslation)
        ambient = rng.uniform(c.ambientRange.lowerBound, c.ambientRange.upperBound)
        lightStrength = rng.uniform(c.lightStrengthRange.lowerBound, c.lightStrengthRange.upperBound)
        lightAngle = rng.uniform(-DeterministicMath.pi, DeterministicMath.pi)
        lightTint = (rng.uniform(-c.lightTint, c.lightTint), rng.uniform(-c.lightTint, c.lightTint),
                     rng.uniform(-c.lightTint, c.lightTint))
        var pick = rng.unit() * c.backgroundWeights.reduce(0, +)
        var kind = 0
        while kind < c.backgroundWeights.count - 1 && pick >= c.backgroundWeights[kind] {
            pick -= c.backgroundWeights[kind]
            kind += 1
        }
        background = BackgroundKind(rawValue: kind)!
        textureKey = rng.next()
        noiseSD = rng.uniform(c.noiseRange.lowerBound, c.noiseRange.upperBound)
        blur = rng.chance(c.blurRate) ? rng.uniform(0.3, 1) : 0
        occlusion = rng.chance(c.occlusionRate)
    }

    /// The cue parameters (no nuisance), as the features of the latent-variable ceilings.
    public var cueVector: [Float] {
        func flag(_ b: Bool) -> Float { b ? 1 : 0 }
        return [
            childness, wrinkles, greyness, baldness, skinTexture, eyeBags, sagging,
            jawWidth, jawSquareness, browThickness, browArch, lipFullness, noseSize, neckWidth,
            hairLength, hairWave, flag(bangs),
            flag(facialHair == .stubble), flag(facialHair == .mustache),
            flag(facialHair == .goatee || facialHair == .goateeAndMustache),
            flag(facialHair == .goateeAndMustache || facialHair == .fullBeard),
            makeup, flag(lipstick), flag(earrings),
            skinTone, rosiness, eyeOpenness, chubbiness,
        ]
    }

    /// Names of ``cueVector``'s entries, in order.
    public static let cueNames = [
        "childness", "wrinkles", "greyness", "baldness", "skinTexture", "eyeBags", "sagging",
        "jawWidth", "jawSquareness", "browThickness", "browArch", "lipFullness", "noseSize",
        "neckWidth", "hairLength", "hairWave", "bangs", "stubble", "mustache", "goatee",
        "beard", "makeup", "lipstick", "earrings", "skinTone", "rosiness", "eyeOpenness",
        "chubbiness",
    ]

}

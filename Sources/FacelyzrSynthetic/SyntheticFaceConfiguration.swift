/// The population and the imaging conditions the synthetic generator draws from.
///
/// Rates are probabilities per face (or per face of the stated group); ranges are inclusive
/// bounds of uniform draws. The defaults are the project's embedded distribution; ``shifted``
/// is the domain-shift setting for robustness checks. docs/synthetic-faces.md lists every field.
public struct SyntheticFaceConfiguration: Sendable, Equatable {
    // MARK: Population

    /// Ages are uniform in this range, in years (0 to 90 by default).
    public var ageRange: ClosedRange<Float> = 0...90
    /// P(male).
    public var maleRate: Float = 0.5
    /// P(Smiling).
    public var smilingRate: Float = 0.45
    /// P(Mouth_Slightly_Open).
    public var mouthOpenRate: Float = 0.4
    /// P(Eyeglasses).
    public var eyeglassesRate: Float = 0.15
    /// P(Wearing_Hat).
    public var hatRate: Float = 0.06
    /// P(bangs drawn) for women; men get a third of it. A hat hides bangs (label false).
    public var bangsRate: Float = 0.3
    /// P(facial hair: stubble, mustache, goatee or full beard) for men aged 18 or more; it ramps
    /// up from age 14 to 18.
    public var facialHairRate: Float = 0.55
    /// P(make-up) for women aged 16 or more (ramping up from 12); men get a twentieth of it.
    public var makeupRate: Float = 0.55
    /// P(earrings) for women; men get a tenth of it.
    public var earringsRate: Float = 0.3

    // MARK: Imaging conditions (nuisance)

    /// Maximum head roll, degrees (uniform in +-).
    public var maxRollDegrees: Float = 15
    /// Maximum head yaw, degrees (uniform in +-).
    public var maxYawDegrees: Float = 12
    /// Maximum relative scale change (uniform in 1 +- this).
    public var maxScaleChange: Float = 0.10
    /// Maximum translation, in pixels of a 64x64 image (scaled with the size).
    public var maxTranslation: Float = 4
    /// Ambient light range (fraction of full light).
    public var ambientRange: ClosedRange<Float> = 0.55...0.8
    /// Directional light strength range.
    public var lightStrengthRange: ClosedRange<Float> = 0.15...0.5
    /// Maximum colour cast of the light (per channel, +-).
    public var lightTint: Float = 0.06
    /// Weights of the background kinds: flat gradient, value-noise texture, clutter of shapes,
    /// stripes.
    public var backgroundWeights: [Float] = [0.4, 0.3, 0.3, 0]
    /// Sensor noise standard deviation range, in units of full scale (1 = 255).
    public var noiseRange: ClosedRange<Float> = 0.0...0.04
    /// P(blurred image) (Blurry when strong).
    public var blurRate: Float = 0.2
    /// P(an object or hand occluding part of the face).
    public var occlusionRate: Float = 0.05

    /// The default, embedded distribution.
    public init() {}

    /// The default population seen under other conditions: harsher and coloured light,
    /// striped and textured backgrounds, more noise and blur, more occlusion.
    public static var shifted: SyntheticFaceConfiguration {
        var c = SyntheticFaceConfiguration()
        c.ambientRange = 0.3...0.6
        c.lightStrengthRange = 0.4...0.9
        c.lightTint = 0.15
        c.backgroundWeights = [0.1, 0.3, 0.2, 0.4]
        c.noiseRange = 0.03...0.09
        c.blurRate = 0.4
        c.occlusionRate = 0.12
        return c
    }
}

import FacelyzrRandom

/// Paints one face from its latents onto a ``FaceCanvas``, back to front: background, hair
/// behind the head, shoulders and neck, ears, skin, age marks, make-up, eyes, brows, nose,
/// mouth, facial hair, front hair, glasses, hat, earrings, occluder. The geometry (feature
/// heights by childness, widths by the gender cues) is described in docs/synthetic-faces.md
/// "Rendering".
struct FacePainter {
    let f: SyntheticFaceLatents
    /// Random choices of the rendering itself (colours, clutter, occluder), from the face's
    /// texture key, so they do not shift the latent stream.
    var rng: SplitMix64

    // Geometry, face units.
    let faceWidth, faceTop, chin, eyeV, eyeSeparation, browV, noseV, mouthV: Float
    let yawSin, yawCos: Float
    let skin, hair, brow: Color

    init(_ f: SyntheticFaceLatents) {
        self.f = f
        rng = SplitMix64(state: f.textureKey)
        let c = f.childness
        faceWidth = 0.86 + 0.1 * c + 0.03 * f.jawWidth + 0.06 * f.chubbiness
        faceTop = 1.22 + 0.12 * c
        chin = 0.98 - 0.2 * c + 0.03 * f.jawWidth + 0.06 * f.sagging
        eyeV = -0.2 + 0.28 * c
        eyeSeparation = 0.36 + 0.03 * c
        browV = eyeV - (0.2 - 0.02 * f.browThickness)
        noseV = eyeV + 0.44 - 0.14 * c + 0.05 * f.sagging
        mouthV = noseV + 0.27 - 0.04 * c + 0.03 * f.sagging
        let yaw = f.yawDegrees * DeterministicMath.pi / 180
        yawSin = DeterministicMath.sin(yaw)
        yawCos = DeterministicMath.cos(yaw)

        let light = Color(0.97, 0.82, 0.71), dark = Color(0.33, 0.2, 0.13)
        let tone = light.mixed(with: dark, f.skinTone)
        skin = tone.mixed(with: Color(0.95, 0.55, 0.5), 0.15 * f.rosiness)
        let base: Color
        switch f.hairColor {
        case .black: base = Color(0.09, 0.075, 0.07)
        case .brown: base = Color(0.36, 0.23, 0.13)
        case .blond: base = Color(0.86, 0.72, 0.46)
        case .red: base = Color(0.62, 0.27, 0.12)
        }
        hair = base.mixed(with: Color(0.8, 0.8, 0.79), f.greyness)
        brow = base.mixed(with: Color(0.6, 0.6, 0.6), f.greyness * 0.6) * 0.75
    }

    /// The u of a feature at `u` on the head's surface once the head turns by the yaw; `depth`
    /// is how far in front of the head's axis it sits (1 for the nose tip).
    func turned(_ u: Float, depth: Float = 0.85) -> Float {
        u * yawCos + depth * yawSin
    }

    /// Paints the whole face onto `canvas`.
    mutating func paint(on canvas: inout FaceCanvas) {
        canvas.paintBackground(f.background, rng: &rng)
        canvas.setLight(ambient: f.ambient, strength: f.lightStrength, angle: f.lightAngle, tint: f.lightTint)
        paintBackHairAndBody(&canvas)
        paintSkin(&canvas)
        paintAgeMarks(&canvas)
        paintEyes(&canvas)
        paintBrows(&canvas)
        paintNose(&canvas)
        paintMouth(&canvas, u: mouth.u, style: .drawn)
        paintFacialHair(&canvas)
        paintFrontHair(&canvas)
        paintAccessories(&canvas)
        if f.occlusion { paintOccluder(&canvas) }
    }

    var hairPaint: Paint {
        Paint(color: hair, texture: .hair(frequency: 22, wave: 0.05 * f.hairWave, contrast: 0.2 + 0.35 * f.hairLength))
    }

    var outline: FaceOutline {
        FaceOutline(halfWidth: faceWidth, top: faceTop, chin: chin,
                    squareness: DeterministicMath.clamp(0.3 + 0.2 * f.jawSquareness, 0, 0.85),
                    narrowing: DeterministicMath.clamp(0.25 - 0.08 * f.jawWidth - 0.1 * f.chubbiness, 0.05, 0.4))
    }

    mutating func paintBackHairAndBody(_ canvas: inout FaceCanvas) {
        let length = f.hat ? min(f.hairLength, 0.55) : f.hairLength
        let hasLongHair = length > 0.3 && f.baldness < 0.9
        if hasLongHair {
            let drop = 0.75 * length + 0.3 * (length - 0.3)
            canvas.fill(Intersection(Ellipse(0, -0.2 + drop, faceWidth + 0.2 + 0.1 * f.hairWave, 1.2 + drop),
                                     AboveCurve(v0: chin + 1.6 * length, k: 0)), hairPaint)
        }
        let neck = 0.36 + 0.04 * f.neckWidth - 0.08 * f.childness
        canvas.fill(Capsule(au: 0, av: chin - 0.4, bu: 0, bv: chin + 1.0, r: neck), Paint(color: skin * 0.8))
        canvas.fill(Ellipse(0, chin + 1.45, 1.7 + 0.15 * f.neckWidth - 0.3 * f.childness, 0.85),
                    Paint(color: Palette.clothes[f.clothingColor]))
        if hasLongHair {
            // Hair falling over the shoulders, in front of the clothes.
            for side: Float in [-1, 1] {
                canvas.fill(Capsule(au: side * (faceWidth - 0.05), av: 0.2, bu: side * (faceWidth + 0.05),
                                    bv: chin + 1.6 * length - 0.7, r: 0.18 + 0.1 * f.hairWave), hairPaint)
            }
        }
        // Ears.
        for side: Float in [-1, 1] {
            let u = turned(side * (faceWidth + 0.02), depth: -0.3)
            canvas.fill(Ellipse(u, eyeV + 0.15, 0.13, 0.23), Paint(color: skin * 0.9))
        }
    }

    private mutating func paintSkin(_ canvas: inout FaceCanvas) {
        canvas.fill(outline, Paint(color: skin, texture: .skin(amplitude: 0.04 + 0.14 * f.skinTexture)))
        // Cheeks: natural rosiness plus blush.
        let blush = 0.25 * f.rosiness + 0.35 * f.makeup
        if blush > 0.05 {
            for side: Float in [-1, 1] {
                canvas.fill(Ellipse(turned(side * 0.5), noseV, 0.2, 0.13),
                            Paint(color: Color(0.9, 0.4, 0.42), alpha: blush))
            }
        }
        // Jaw shadow, stronger on square jaws.
        let jawShadow = DeterministicMath.clamp(0.05 + 0.1 * f.jawSquareness, 0, 0.3)
        canvas.fill(Intersection(outline, Below(v0: chin - 0.12)), Paint(color: skin * 0.7, alpha: jawShadow))
    }

    private mutating func paintAgeMarks(_ canvas: inout FaceCanvas) {
        let crease = Paint(color: skin * 0.6, alpha: 0.7 * f.wrinkles)
        if f.wrinkles > 0.05 {
            let lines = 1 + Int(f.wrinkles * 3)
            for i in 0..<lines {
                canvas.fill(Curve(turned(0), browV - 0.15 - 0.1 * Float(i), halfLength: 0.4 - 0.05 * Float(i),
                                  curvature: 0.25, halfWidth: 0.02, taper: 0.8), crease)
            }
            for side: Float in [-1, 1] {
                let corner = turned(side * (eyeSeparation + 0.2))
                for j: Float in [-1, 0, 1] {
                    canvas.fill(Capsule(au: corner, av: eyeV + 0.02 * j, bu: corner + side * 0.1,
                                        bv: eyeV + 0.07 * j, r: 0.012), crease)
                }
                // Nasolabial fold, from the nose wing to beside the mouth corner.
                canvas.fill(Curve(turned(side * 0.3), (noseV + mouthV) / 2 + 0.03, halfLength: 0.14,
                                  curvature: 0.5 * side, halfWidth: 0.022, taper: 0.6, angle: side * 1.15),
                            Paint(color: skin * 0.6, alpha: 0.3 + 0.5 * f.wrinkles))
            }
        }
        if f.eyeBags > 0.1 {
            for side: Float in [-1, 1] {
                canvas.fill(Curve(turned(side * eyeSeparation), eyeV + 0.14, halfLength: 0.13, curvature: -1.5,
                                  halfWidth: 0.018, taper: 0.7), Paint(color: skin * 0.62, alpha: 0.7 * f.eyeBags))
            }
        }
        if f.skinTexture > 0.6 {
            // Age spots.
            let spots = Int((f.skinTexture - 0.6) * 12)
            for _ in 0..<spots {
                canvas.fill(Ellipse(rng.uniform(-0.6, 0.6), rng.uniform(-0.9, 0.4), 0.04, 0.035),
                            Paint(color: skin * 0.72, alpha: 0.6))
            }
        }
    }

    private mutating func paintEyes(_ canvas: inout FaceCanvas) {
        let c = f.childness
        let width = 0.15 * (1 + 0.25 * c)
        let height = (0.045 + 0.075 * f.eyeOpenness) * (1 + 0.25 * c) * (f.smiling ? 0.85 : 1)
        let shadow = Palette.eyeShadows[rng.below(3)]
        let gaze = rng.uniform(-0.03, 0.03)
        for side: Float in [-1, 1] {
            let u = turned(side * eyeSeparation)
            // Socket shade, then eye shadow.
            canvas.fill(Ellipse(u, eyeV - 0.02, width * 1.3, height + 0.06), Paint(color: skin * 0.8, alpha: 0.5))
            if f.makeup > 0 {
                canvas.fill(Ellipse(u, eyeV - 0.05, width * 1.2, height + 0.06), Paint(color: shadow, alpha: 0.55 * f.makeup))
            }
            let white = Ellipse(u, eyeV, width * yawCos, height)
            canvas.fill(white, Paint(color: Color(0.93, 0.91, 0.88)))
            let iris = min(height * 1.05, 0.07 * (1 + 0.3 * c))
            canvas.fill(Intersection(Ellipse(u + gaze + 0.35 * yawSin * width, eyeV, iris, iris), white),
                        Paint(color: Palette.irises[f.irisColor]))
            canvas.fill(Intersection(Ellipse(u + gaze + 0.35 * yawSin * width, eyeV, iris * 0.45, iris * 0.45), white),
                        Paint(color: Color(0.03, 0.03, 0.03)))
            // Upper lid (eyeliner makes it thicker).
            canvas.fill(Curve(u, eyeV - height * 0.95, halfLength: width, curvature: height * 0.95 / (width * width),
                              halfWidth: 0.018 + 0.022 * f.makeup + 0.01 * c),
                        Paint(color: Color(0.1, 0.07, 0.06), alpha: 0.85))
        }
    }

    private mutating func paintBrows(_ canvas: inout FaceCanvas) {
        let thickness = DeterministicMath.clamp(0.03 + 0.012 * f.browThickness - 0.012 * f.childness, 0.014, 0.07)
        let arch = DeterministicMath.clamp(1.3 - 0.5 * f.browArch, 0.3, 3)
        for side: Float in [-1, 1] {
            let u = turned(side * (eyeSeparation + 0.03))
            canvas.fill(Curve(u, browV, halfLength: 0.18, curvature: arch, halfWidth: thickness, taper: 0.5,
                              angle: side * 0.12),
                        Paint(color: brow, alpha: 0.9 - 0.3 * f.childness, texture: .hair(frequency: 40, wave: 0, contrast: 0.5)))
        }
    }

    private mutating func paintNose(_ canvas: inout FaceCanvas) {
        let size = (1 + 0.12 * f.noseSize) * (1 - 0.3 * f.childness)
        let tip = turned(0, depth: 1.1)
        let width = 0.15 * size
        // Side of the bridge.
        canvas.fill(Capsule(au: turned(0.09, depth: 0.95), av: eyeV + 0.08, bu: tip + 0.08 * size, bv: noseV - 0.06,
                            r: 0.03), Paint(color: skin * 0.7, alpha: 0.45))
        // Nostrils and the shadow under the tip.
        canvas.fill(Curve(tip, noseV + 0.03, halfLength: width, curvature: -1.2, halfWidth: 0.025, taper: 0.5),
                    Paint(color: skin * 0.7, alpha: 0.55))
        for side: Float in [-1, 1] {
            canvas.fill(Ellipse(tip + side * width * 0.55, noseV + 0.01, 0.045 * size, 0.025 * size),
                        Paint(color: Color(0.25, 0.12, 0.1), alpha: 0.75))
        }
        canvas.fill(Ellipse(tip, noseV - 0.06, 0.05 * size, 0.05 * size), Paint(color: skin * 1.12, alpha: 0.3))
    }

    /// The mouth's centre line, lip thicknesses and opening, shared by the mouth and the facial hair.
    var mouth: (u: Float, halfWidth: Float, smile: Float, upper: Float, lower: Float, gap: Float) {
        let smile = f.smileAmount
        return (turned(0, depth: 0.95), 0.24 * (1 - 0.2 * f.childness) + 0.06 * smile, smile,
                DeterministicMath.clamp(0.035 - 0.01 * f.lipFullness, 0.015, 0.07),
                DeterministicMath.clamp(0.05 - 0.013 * f.lipFullness, 0.025, 0.09),
                0.1 * f.mouthOpenAmount)
    }

    /// The lips, and the opening (with teeth on a smile) or the closed mouth's line, in `style`'s
    /// colours, centred at `u`.
    mutating func paintMouth(_ canvas: inout FaceCanvas, u: Float, style: MouthPaint) {
        let m = mouth
        let lipColor = f.lipstick
            ? Palette.lipsticks[rng.below(3)]
            : skin.mixed(with: style.lipTint, style.lipMix)
        let lips = Lips(cu: u, cv: mouthV, halfWidth: m.halfWidth, smile: m.smile, upper: m.upper, lower: m.lower,
                        gap: m.gap)
        canvas.fill(lips, Paint(color: lipColor, alpha: f.lipstick ? 0.95 : style.lipAlpha))
        if m.gap > 0 {
            var inside = lips
            inside.upper = 0
            inside.lower = 0
            canvas.fill(inside, Paint(color: style.opening))
            if f.smiling {
                var teeth = inside
                teeth.gap = m.gap * 0.5
                teeth.cv = mouthV - m.gap * 0.25
                canvas.fill(teeth, Paint(color: style.teeth))
            }
        } else {
            canvas.fill(Curve(u, mouthV, halfLength: m.halfWidth * 0.95, curvature: -m.smile * 0.08 / (m.halfWidth * m.halfWidth),
                              halfWidth: style.lineWidth, taper: 0.3), Paint(color: style.line, alpha: style.lineAlpha))
        }
    }

    mutating func paintFacialHair(_ canvas: inout FaceCanvas) {
        let m = mouth
        let beardPaint = Paint(color: hair * 0.9, alpha: 0.92, texture: .hair(frequency: 45, wave: 0, contrast: 0.5))
        let aroundMouth = Ellipse(m.u, mouthV + 0.01, m.halfWidth + 0.04, m.upper + m.gap / 2 + 0.04)
        let mustache = Curve(m.u, mouthV - m.upper - m.gap / 2 - 0.05, halfLength: m.halfWidth + 0.04,
                             curvature: 0.6, halfWidth: 0.045, taper: 0.5)
        let goatee = Difference(Intersection(Ellipse(m.u, mouthV + 0.2, 0.2, 0.22), outline), minus: aroundMouth)
        switch f.facialHair {
        case .none:
            break
        case .stubble:
            canvas.fill(Difference(Intersection(outline, Below(v0: noseV + 0.05)), minus: aroundMouth),
                        Paint(color: skin.mixed(with: hair, 0.5) * 0.6, alpha: 0.4, texture: .stipple(density: 0.45)))
        case .mustache:
            canvas.fill(mustache, beardPaint)
        case .goatee:
            canvas.fill(goatee, beardPaint)
        case .goateeAndMustache:
            canvas.fill(goatee, beardPaint)
            canvas.fill(mustache, beardPaint)
        case .fullBeard:
            canvas.fill(Difference(Intersection(outline, Below(v0: noseV - 0.05)), minus: aroundMouth), beardPaint)
            canvas.fill(mustache, beardPaint)
        }
    }

    mutating func paintFrontHair(_ canvas: inout FaceCanvas) {
        if f.hat { return }
        let volume = 0.08 + 0.06 * f.hairWave + 0.05 * f.hairLength
        let cap = Ellipse(0, -0.05, faceWidth + volume, faceTop + volume)
        let hairline = -0.68 + 0.12 * f.childness - 0.55 * f.baldness
        let paint = hairPaint
        let parting = rng.uniform(-0.12, 0.12)
        if f.baldness < 0.75 {
            let temples: Float = f.male && f.age >= 16 ? 0.05 : 0.35 // men's hairlines rise at the temples
            canvas.fill(Intersection(cap, AboveCurve(v0: hairline, k: temples + 0.4 * f.baldness, slope: parting)), paint)
        }
        // Hair at the temples and sides (what stays on a bald head).
        let sideLimit = f.hairLength > 0.3 ? chin : eyeV - 0.12 + 0.1 * f.baldness
        for side: Float in [-1, 1] {
            let temple = Capsule(au: side * (faceWidth - 0.02), av: -0.55 + 0.3 * f.baldness, bu: side * (faceWidth + 0.02),
                                 bv: sideLimit, r: 0.07 + 0.12 * f.hairLength + 0.03 * f.baldness)
            canvas.fill(Intersection(temple, cap.grown(by: f.hairLength > 0.3 ? 1 : 0)), paint)
        }
        if f.bangs && f.baldness < 0.5 {
            let fringe = browV - 0.06
            canvas.fill(Intersection(Ellipse(0, -0.45, faceWidth * 0.97, 0.55 + (fringe + 0.45) * 0.6),
                                     AboveCurve(v0: fringe, k: 0.15)), paint)
        }
    }

    mutating func paintAccessories(_ canvas: inout FaceCanvas) {
        if f.eyeglasses {
            let frame = Paint(color: Palette.frames[rng.below(4)])
            let thickness: Float = rng.chance(0.5) ? 0.025 : 0.014
            let ru: Float = 0.21 * (1 + 0.2 * f.childness), rv: Float = 0.15 + 0.02 * f.childness
            for side: Float in [-1, 1] {
                let u = turned(side * eyeSeparation, depth: 0.95)
                let lens = Ellipse(u, eyeV + 0.01, ru * yawCos, rv)
                canvas.fill(lens, f.sunglasses ? Paint(color: Color(0.06, 0.06, 0.08), alpha: 0.92)
                                               : Paint(color: Color(0.8, 0.88, 0.95), alpha: 0.12))
                canvas.fill(Ring(ellipse: lens, w: thickness), frame)
                canvas.fill(Capsule(au: u + side * ru * yawCos, av: eyeV - 0.02, bu: side * faceWidth, bv: eyeV + 0.02,
                                    r: thickness), frame)
            }
            let inner = eyeSeparation - ru
            canvas.fill(Curve(turned(0, depth: 1), eyeV - 0.02, halfLength: inner * yawCos, curvature: -1,
                              halfWidth: thickness), frame)
        }
        if f.hat {
            let paint = Paint(color: Palette.hats[f.hatColor])
            let brim = -0.62 + 0.1 * f.childness
            canvas.fill(Intersection(Ellipse(0, brim - 0.05, faceWidth + 0.12, faceTop - 0.35), AboveCurve(v0: brim, k: 0)),
                        paint)
            canvas.fill(Capsule(au: -faceWidth - 0.2, av: brim, bu: faceWidth + 0.2, bv: brim, r: 0.07), Paint(color: paint.color * 0.8))
        }
        if f.earrings {
            for side: Float in [-1, 1] {
                canvas.fill(Ellipse(turned(side * (faceWidth + 0.03), depth: -0.3), eyeV + 0.4, 0.05, 0.05),
                            Paint(color: Color(0.9, 0.75, 0.3)))
            }
        }
    }

    mutating func paintOccluder(_ canvas: inout FaceCanvas) {
        let u = rng.uniform(-0.9, 0.9), v = rng.uniform(-0.2, 1.1)
        if rng.chance(0.5) {
            // A hand.
            canvas.fill(Ellipse(u, v + 0.3, 0.35, 0.45, angle: rng.uniform(-0.6, 0.6)), Paint(color: skin * 0.95))
        } else {
            let color = Color(rng.unit(), rng.unit(), rng.unit())
            canvas.fill(Capsule(au: u - 0.4, av: v, bu: u + 0.4, bv: v + rng.uniform(-0.3, 0.3), r: rng.uniform(0.12, 0.3)),
                        Paint(color: color))
        }
    }
}

/// The lips: an upper and a lower band around the mouth's centre line v = cv - smile 0.08 x^2
/// (x = (u - cu) / halfWidth), apart by `gap`; thicknesses fall off to zero at the corners.
/// The colours of a mouth: the drawn face's, or the shaded rendering's albedo (a photograph's:
/// darker lips and opening, a wider line).
struct MouthPaint {
    var lipTint: Color, lipMix: Float, lipAlpha: Float
    var opening: Color, teeth: Color
    var lineWidth: Float, line: Color, lineAlpha: Float

    static let drawn = MouthPaint(lipTint: Color(0.65, 0.25, 0.25), lipMix: 0.45, lipAlpha: 0.8,
                                  opening: Color(0.22, 0.06, 0.06), teeth: Color(0.92, 0.9, 0.84),
                                  lineWidth: 0.014, line: Color(0.2, 0.07, 0.06), lineAlpha: 0.75)
    static let albedo = MouthPaint(lipTint: Color(0.55, 0.2, 0.2), lipMix: 0.4, lipAlpha: 0.85,
                                   opening: Color(0.12, 0.04, 0.04), teeth: Color(0.8, 0.78, 0.72),
                                   lineWidth: 0.018, line: Color(0.12, 0.05, 0.05), lineAlpha: 0.85)
}

struct Lips: FaceShape {
    var cu, cv, halfWidth, smile, upper, lower, gap: Float

    var bounds: (Float, Float, Float, Float) {
        (cu - halfWidth - 0.1, cu + halfWidth + 0.1, cv - 0.25, cv + 0.25)
    }

    @inline(__always)
    func distance(_ u: Float, _ v: Float) -> Float {
        let x = (u - cu) / halfWidth
        let ends = (abs(x) - 1) * halfWidth
        let profile = max(0, 1 - x * x)
        let center = cv - smile * 0.08 * x * x
        let half = gap / 2 * profile
        let top = center - half - upper * profile.squareRoot()
        let bottom = center + half + lower * profile.squareRoot()
        let across = max(top - v, v - bottom)
        return max(across, ends)
    }
}

extension Ellipse {
    /// The same ellipse, each radius larger by `amount`.
    func grown(by amount: Float) -> Ellipse {
        var e = self
        e.ru += amount
        e.rv += amount
        return e
    }
}

/// The colours of clothes, irises, make-up, glasses frames and hats.
enum Palette {
    static let clothes = [Color(0.15, 0.2, 0.45), Color(0.5, 0.1, 0.12), Color(0.9, 0.9, 0.88), Color(0.12, 0.12, 0.13),
                          Color(0.2, 0.4, 0.25), Color(0.55, 0.5, 0.42), Color(0.7, 0.55, 0.2), Color(0.45, 0.45, 0.5)]
    static let irises = [Color(0.3, 0.18, 0.09), Color(0.2, 0.35, 0.6), Color(0.3, 0.42, 0.25), Color(0.12, 0.08, 0.05)]
    static let eyeShadows = [Color(0.45, 0.3, 0.55), Color(0.3, 0.4, 0.6), Color(0.5, 0.35, 0.25)]
    static let lipsticks = [Color(0.7, 0.08, 0.14), Color(0.8, 0.3, 0.4), Color(0.45, 0.08, 0.2)]
    static let frames = [Color(0.05, 0.05, 0.05), Color(0.55, 0.5, 0.45), Color(0.35, 0.12, 0.08), Color(0.15, 0.2, 0.45)]
    static let hats = [Color(0.1, 0.1, 0.12), Color(0.6, 0.1, 0.1), Color(0.15, 0.25, 0.5), Color(0.8, 0.75, 0.6),
                       Color(0.3, 0.45, 0.25), Color(0.85, 0.85, 0.85)]
}

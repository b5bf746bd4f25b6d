import FacelyzrRandom

/// How ``SyntheticFaces`` turns a face's latents into pixels.
public enum SyntheticFaceRendering: Sendable, Equatable, CaseIterable {
    /// The painted face (the default; the golden fingerprints of the generator version).
    case drawn
    /// The same person as a lit 3D surface, posed in yaw and pitch, as a camera sees a face at
    /// 24 to 64 pixels: eye sockets, brow ridge, nose and chin in Lambert light
    /// (docs/synthetic-faces.md "Shaded rendering").
    case shaded
}

/// Renders the face described by `latents` as a shaded surface, `size` x `size` RGB bytes into
/// `pixels` (docs/synthetic-faces.md "Shaded rendering"): the painter's albedo of the unturned
/// face, looked up through the head's height field at the pose's parallax, times the key
/// light's Lambert term plus an ambient term darkened in the hollows, plus a specular sheen;
/// then the drawn rendering's blur and sensor noise. The rendering's own draws (pose, light)
/// come from a stream of the texture key, so the latents and labels are the drawn face's.
func renderShadedFace(_ latents: SyntheticFaceLatents, size: Int, into pixels: UnsafeMutableBufferPointer<UInt8>) {
    precondition(pixels.count == size * size * 3, "pixels must hold size * size * 3 bytes")
    let s = Float(size)
    let roll = latents.rollDegrees * DeterministicMath.pi / 180
    let centerX = s / 2 + latents.translationX * s / 64, centerY = s * 0.47 + latents.translationY * s / 64
    let pixelsPerUnit = s * 0.26 * latents.scale
    let flatFrame = FaceFrame(centerX: centerX, centerY: centerY, pixelsPerUnit: pixelsPerUnit, cosRoll: 1, sinRoll: 0)
    let frame = FaceFrame(centerX: centerX, centerY: centerY, pixelsPerUnit: pixelsPerUnit,
                          cosRoll: DeterministicMath.cos(roll), sinRoll: DeterministicMath.sin(roll))
    var unturned = latents
    unturned.yawDegrees = 0
    var painter = FacePainter(unturned)
    var albedo = FaceCanvas(size: size, frame: flatFrame, key: latents.textureKey)
    painter.paintAlbedo(on: &albedo)

    var rng = SplitMix64(state: SplitMix64.mix(latents.textureKey ^ 0x53_68_61_64_65_64)) // "Shaded"
    let surface = FaceSurface(painter)
    let light = ShadedLight(drawingFrom: &rng, latents: latents)
    var canvas = FaceCanvas(size: size, frame: frame, key: latents.textureKey)
    let pores = NoiseTable(key: latents.textureKey, salt: 8)
    let poreAmplitude = 0.05 + 0.1 * latents.skinTexture
    let tint = (1 + latents.lightTint.0, 1 + latents.lightTint.1, 1 + latents.lightTint.2)
    albedo.rgb.withUnsafeBufferPointer { source in
        canvas.rgb.withUnsafeMutableBufferPointer { rgb in
            for y in 0..<size {
                for x in 0..<size {
                    let (u, v) = frame.face(Float(x) + 0.5, Float(y) + 0.5)
                    let point = surface.point(seenAt: u, v, yawSin: light.yawSin, pitchSin: light.pitchSin)
                    let (ax, ay) = flatFrame.pixel(point.x, point.y)
                    var color = bilinear(source, size: size, ax - 0.5, ay - 0.5)
                    let brightness: Float
                    var sheen: Float = 0
                    if point.onHead {
                        let n = light.turned(normalX: -point.slopeX, -point.slopeY, 1)
                        let hollow = DeterministicMath.clamp(1 + 2.6 * point.hollow, 0.25, 1)
                        let lambert = max(0, n.0 * light.x + n.1 * light.y + n.2 * light.z)
                        brightness = light.ambient * hollow + light.diffuse * lambert * (0.4 + 0.6 * hollow)
                        var h = max(0, n.0 * light.halfX + n.1 * light.halfY + n.2 * light.halfZ)
                        h *= h; h *= h; h *= h; h *= h // (n . h)^16
                        sheen = light.specular * h * hollow
                        let grain = 1 + poreAmplitude * (pores.smooth(point.x * 36, point.y * 36) - 0.5)
                        color = color * grain
                    } else {
                        brightness = light.ambient + light.diffuse * light.z
                    }
                    let k = brightness * light.exposure
                    let i = (y * size + x) * 3
                    rgb[i] = color.r * k * tint.0 + sheen
                    rgb[i + 1] = color.g * k * tint.1 + sheen
                    rgb[i + 2] = color.b * k * tint.2 + sheen
                }
            }
        }
    }
    painter.paintCatchlights(on: &canvas, surface: surface, light: light, rng: &rng)
    if latents.blur > 0 { canvas.blur(amount: latents.blur) }
    canvas.quantize(noiseSD: latents.noiseSD, into: pixels)
}

/// The picture `rgb` (size x size, RGB floats) at the pixel-centre position (x, y), bilinear,
/// the border repeated.
@inline(__always)
private func bilinear(_ rgb: UnsafeBufferPointer<Float>, size: Int, _ x: Float, _ y: Float) -> Color {
    let limit = Float(size - 1)
    let cx = DeterministicMath.clamp(x, 0, limit), cy = DeterministicMath.clamp(y, 0, limit)
    let fx = DeterministicMath.floor(cx), fy = DeterministicMath.floor(cy)
    let x0 = Int(fx), y0 = Int(fy)
    let x1 = min(x0 + 1, size - 1), y1 = min(y0 + 1, size - 1)
    let tx = cx - fx, ty = cy - fy
    func at(_ x: Int, _ y: Int) -> Color {
        let i = (y * size + x) * 3
        return Color(rgb[i], rgb[i + 1], rgb[i + 2])
    }
    let top = at(x0, y0).mixed(with: at(x1, y0), tx), bottom = at(x0, y1).mixed(with: at(x1, y1), tx)
    return top.mixed(with: bottom, ty)
}

/// One smooth bump of the height field: `height` * (1 - q)^2 inside the ellipse
/// q = ((x - cx) / rx)^2 + ((y - cy) / ry)^2 < 1, zero outside; negative heights are hollows.
struct Bump {
    var cx, cy, rx, ry, height: Float
}

/// The head as a height field over face space (x right, y down, z towards the camera, face
/// units): a dome over the skin outline, `depth` * sqrt(1 - r^2) with r the outline's normalised
/// radius (1 on the outline), plus the bumps of forehead, brow ridge, eye sockets, eyeballs,
/// nose, cheeks, lips and chin, placed by the painter's geometry. Outside the outline the
/// picture is flat (hair, ears, neck, background).
struct FaceSurface {
    let outline: FaceOutline
    let depth: Float
    let bumps: [Bump]

    init(_ p: FacePainter) {
        let f = p.f
        outline = p.outline
        depth = 0.8 * p.faceWidth
        let adult = 1 - f.childness
        let nose = (1 + 0.12 * f.noseSize) * (1 - 0.35 * f.childness)
        let ridge = 0.045 + 0.025 * adult + 0.012 * f.browThickness
        let e = p.eyeSeparation, eyeV = p.eyeV, noseV = p.noseV, mouthV = p.mouthV
        var b: [Bump] = [
            Bump(cx: 0, cy: p.browV - 0.45, rx: 0.8, ry: 0.45, height: 0.06),
            Bump(cx: 0, cy: (p.browV + noseV) / 2, rx: 0.13 * nose, ry: (noseV - p.browV) / 2 + 0.1,
                 height: 0.16 * nose),
            Bump(cx: 0, cy: noseV - 0.06, rx: 0.14 * nose, ry: 0.12 * nose, height: 0.16 * nose),
            Bump(cx: 0, cy: noseV + 0.12, rx: 0.12, ry: 0.06, height: -0.03),
            Bump(cx: 0, cy: mouthV - 0.045, rx: 0.24, ry: 0.06, height: 0.035 + 0.01 * f.lipFullness),
            Bump(cx: 0, cy: mouthV + 0.055, rx: 0.21, ry: 0.07, height: 0.04 + 0.012 * f.lipFullness),
            Bump(cx: 0, cy: mouthV + 0.17, rx: 0.2, ry: 0.06, height: -0.03),
            Bump(cx: 0, cy: p.chin - 0.16, rx: 0.26, ry: 0.16, height: 0.07),
        ]
        for side: Float in [-1, 1] {
            b.append(Bump(cx: side * (e + 0.02), cy: p.browV + 0.01, rx: 0.3, ry: 0.1, height: ridge))
            b.append(Bump(cx: side * e, cy: eyeV - 0.01, rx: 0.25, ry: 0.17 + 0.02 * adult,
                          height: -(0.08 + 0.05 * adult)))
            b.append(Bump(cx: side * e, cy: eyeV, rx: 0.15, ry: 0.09, height: 0.05))
            b.append(Bump(cx: side * 0.12 * nose, cy: noseV, rx: 0.08 * nose, ry: 0.06, height: 0.06 * nose))
            b.append(Bump(cx: side * 0.45, cy: noseV - 0.04, rx: 0.3, ry: 0.24,
                          height: 0.05 + 0.05 * f.chubbiness))
            b.append(Bump(cx: side * 0.6, cy: mouthV - 0.05, rx: 0.16, ry: 0.2,
                          height: -0.04 * adult * (1 - f.chubbiness)))
        }
        bumps = b
    }

    /// The dome's height at (x, y), 0 outside the outline.
    @inline(__always)
    func dome(_ x: Float, _ y: Float) -> Float {
        let r = 1 + outline.distance(x, y) / outline.halfWidth
        return r >= 1 ? 0 : depth * (1 - r * r).squareRoot()
    }

    /// What the camera sees of the surface at face-space position (u, v).
    struct Point {
        /// Where on the unturned face the ray meets the surface.
        var x, y: Float
        /// The height field's slopes dz/dx, dz/dy there.
        var slopeX, slopeY: Float
        /// The sum of the hollows' (negative bumps') heights there, <= 0.
        var hollow: Float
        var onHead: Bool
    }

    /// The height at (x, y) and, when `slopes` is true, its slopes and hollow depth.
    @inline(__always)
    func height(_ x: Float, _ y: Float, slopes: Bool) -> (z: Float, dx: Float, dy: Float, hollow: Float, inside: Bool) {
        let z0 = dome(x, y)
        if z0 <= 0 { return (0, 0, 0, 0, false) }
        var z = z0, dx: Float = 0, dy: Float = 0, hollow: Float = 0
        if slopes {
            // Central differences over 0.02 units, the slopes limited to 3 (the rim turns 72 degrees away).
            dx = DeterministicMath.clamp((dome(x + 0.01, y) - dome(x - 0.01, y)) * 50, -3, 3)
            dy = DeterministicMath.clamp((dome(x, y + 0.01) - dome(x, y - 0.01)) * 50, -3, 3)
        }
        for bump in bumps {
            let bx = (x - bump.cx) / bump.rx, by = (y - bump.cy) / bump.ry
            let r = bx * bx + by * by
            if r >= 1 { continue }
            let w = 1 - r
            z += bump.height * w * w
            if slopes {
                dx -= 4 * bump.height * w * bx / bump.rx
                dy -= 4 * bump.height * w * by / bump.ry
                if bump.height < 0 { hollow += bump.height * w * w }
            }
        }
        return (z, dx, dy, hollow, true)
    }

    /// The surface point seen at (u, v) when the head turns: the parallax model
    /// u = x + z sin(yaw), v = y + z sin(pitch), solved by fixed-point iteration from (u, v).
    func point(seenAt u: Float, _ v: Float, yawSin: Float, pitchSin: Float) -> Point {
        var x = u, y = v
        for _ in 0..<4 {
            let z = height(x, y, slopes: false).z
            x = u - z * yawSin
            y = v - z * pitchSin
        }
        let h = height(x, y, slopes: true)
        return Point(x: x, y: y, slopeX: h.dx, slopeY: h.dy, hollow: h.hollow, onHead: h.inside)
    }

    /// Where the camera sees the surface point above (x, y).
    func seen(_ x: Float, _ y: Float, yawSin: Float, pitchSin: Float) -> (Float, Float) {
        let z = height(x, y, slopes: false).z
        return (x + z * yawSin, y + z * pitchSin)
    }
}

/// The pose and light of a shaded face: yaw and pitch, a key light direction (from above more
/// often than not), its Lambert and specular strengths, the ambient term and an exposure that
/// brings a surface facing the camera near 0.9 of full scale.
struct ShadedLight {
    let yawSin, yawCos, pitchSin, pitchCos: Float
    /// Towards the light, camera space (x right, y down, z towards the camera), unit length.
    let x, y, z: Float
    /// The half vector between the light and the camera direction (Blinn's specular term).
    let halfX, halfY, halfZ: Float
    let ambient, diffuse, specular, exposure: Float

    init(drawingFrom rng: inout SplitMix64, latents: SyntheticFaceLatents) {
        let yaw = 2 * latents.yawDegrees * DeterministicMath.pi / 180
        let pitch = rng.uniform(-14, 14) * DeterministicMath.pi / 180
        yawSin = DeterministicMath.sin(yaw)
        yawCos = DeterministicMath.cos(yaw)
        pitchSin = DeterministicMath.sin(pitch)
        pitchCos = DeterministicMath.cos(pitch)
        let around = rng.chance(0.7) ? -DeterministicMath.pi / 2 + rng.uniform(-1.2, 1.2)
                                      : rng.uniform(-DeterministicMath.pi, DeterministicMath.pi)
        let fromAxis = rng.uniform(0.1, 1.1)
        let sideways = DeterministicMath.sin(fromAxis)
        x = sideways * DeterministicMath.cos(around)
        y = sideways * DeterministicMath.sin(around)
        z = DeterministicMath.cos(fromAxis)
        let hx = x, hy = y, hz = z + 1
        let length = (hx * hx + hy * hy + hz * hz).squareRoot()
        halfX = hx / length
        halfY = hy / length
        halfZ = hz / length
        ambient = rng.uniform(0.2, 0.55)
        diffuse = rng.uniform(0.6, 1)
        specular = rng.chance(0.6) ? rng.uniform(0.02, 0.12) : 0
        exposure = rng.uniform(0.8, 1) / (ambient + diffuse * z)
    }

    /// The head's normal (nx, ny, nz), unnormalised, in camera space: turned by the yaw about
    /// the vertical axis, then by the pitch about the horizontal one; unit length.
    @inline(__always)
    func turned(normalX nx: Float, _ ny: Float, _ nz: Float) -> (Float, Float, Float) {
        let length = (nx * nx + ny * ny + nz * nz).squareRoot()
        let ax = nx / length, ay = ny / length, az = nz / length
        let bx = ax * yawCos + az * yawSin, bz = az * yawCos - ax * yawSin
        return (bx, ay * pitchCos + bz * pitchSin, bz * pitchCos - ay * pitchSin)
    }
}

extension FacePainter {
    /// The albedo of the shaded rendering, the face unturned and unlit: the drawn background,
    /// hair, body, facial hair and accessories, with skin, eyes, brows, nose and mouth coloured
    /// as a photograph shows them (no painted shadows: the surface makes them).
    mutating func paintAlbedo(on canvas: inout FaceCanvas) {
        canvas.paintBackground(f.background, rng: &rng)
        paintBackHairAndBody(&canvas)
        canvas.fill(outline, Paint(color: skin, texture: .skin(amplitude: 0.06 + 0.14 * f.skinTexture)))
        let blush = 0.2 * f.rosiness + 0.3 * f.makeup
        for side: Float in [-1, 1] {
            canvas.fill(Ellipse(side * 0.5, noseV, 0.24, 0.16), Paint(color: Color(0.85, 0.42, 0.4), alpha: blush))
        }
        paintAlbedoEyes(&canvas)
        let thickness = DeterministicMath.clamp(0.045 + 0.014 * f.browThickness - 0.015 * f.childness, 0.025, 0.08)
        let arch = DeterministicMath.clamp(1.1 - 0.5 * f.browArch, 0.2, 2.6)
        let browColor = brow.mixed(with: Color(0.1, 0.08, 0.07), 0.4)
        for side: Float in [-1, 1] {
            canvas.fill(Curve(side * (eyeSeparation + 0.03), browV, halfLength: 0.2, curvature: arch,
                              halfWidth: thickness, taper: 0.55, angle: side * 0.12),
                        Paint(color: browColor, alpha: 0.92 - 0.3 * f.childness,
                              texture: .hair(frequency: 40, wave: 0, contrast: 0.4)))
        }
        let nose = (1 + 0.12 * f.noseSize) * (1 - 0.3 * f.childness)
        for side: Float in [-1, 1] {
            canvas.fill(Ellipse(side * 0.08 * nose, noseV + 0.02, 0.045 * nose, 0.028 * nose),
                        Paint(color: Color(0.2, 0.1, 0.08), alpha: 0.7))
        }
        // Lips a little darker and redder than the skin, the line or opening dark (the face unturned).
        paintMouth(&canvas, u: 0, style: .albedo)
        paintFacialHair(&canvas)
        paintFrontHair(&canvas)
        paintAccessories(&canvas)
        if f.occlusion { paintOccluder(&canvas) }
    }

    /// Eyes as a camera sees them from a few metres: a greyish white, a large dark iris, a thick
    /// dark upper lash line, a lid crease.
    private mutating func paintAlbedoEyes(_ canvas: inout FaceCanvas) {
        let c = f.childness
        let width = 0.16 * (1 + 0.2 * c)
        let height = (0.05 + 0.07 * f.eyeOpenness) * (1 + 0.2 * c) * (f.smiling ? 0.85 : 1)
        let gaze = rng.uniform(-0.03, 0.03)
        let shadow = Palette.eyeShadows[rng.below(3)]
        for side: Float in [-1, 1] {
            let u = side * eyeSeparation
            canvas.fill(Curve(u, eyeV - height - 0.05, halfLength: width * 1.05, curvature: 1.2, halfWidth: 0.02, taper: 0.6),
                        Paint(color: skin * 0.62, alpha: 0.6))
            if f.makeup > 0 {
                canvas.fill(Ellipse(u, eyeV - 0.05, width * 1.2, height + 0.06), Paint(color: shadow, alpha: 0.5 * f.makeup))
            }
            let white = Ellipse(u, eyeV, width, height)
            canvas.fill(white, Paint(color: Color(0.58, 0.55, 0.52)))
            let iris = min(height * 1.1, 0.072 * (1 + 0.25 * c))
            canvas.fill(Intersection(Ellipse(u + gaze, eyeV, iris, iris), white),
                        Paint(color: Palette.irises[f.irisColor] * 0.6))
            canvas.fill(Intersection(Ellipse(u + gaze, eyeV, iris * 0.45, iris * 0.45), white),
                        Paint(color: Color(0.02, 0.02, 0.02)))
            canvas.fill(Curve(u, eyeV - height * 0.9, halfLength: width * 1.05, curvature: height * 0.9 / (width * width),
                              halfWidth: 0.028 + 0.015 * f.makeup, taper: 0.4),
                        Paint(color: Color(0.05, 0.04, 0.04), alpha: 0.9))
            canvas.fill(Curve(u, eyeV + height * 0.85, halfLength: width * 0.9, curvature: -height * 0.7 / (width * width),
                              halfWidth: 0.012, taper: 0.5),
                        Paint(color: Color(0.15, 0.1, 0.09), alpha: 0.45))
        }
    }

    /// The key light's reflection in each cornea, where the camera sees the iris (unless
    /// sunglasses hide it).
    func paintCatchlights(on canvas: inout FaceCanvas, surface: FaceSurface, light: ShadedLight,
                                   rng: inout SplitMix64) {
        if f.sunglasses || !rng.chance(0.75) { return }
        let size = 0.016 + 0.012 * f.childness
        for side: Float in [-1, 1] {
            let (u, v) = surface.seen(side * eyeSeparation, eyeV, yawSin: light.yawSin, pitchSin: light.pitchSin)
            canvas.fill(Ellipse(u + 0.035 * light.x, v + 0.035 * light.y, size, size),
                        Paint(color: Color(0.95, 0.95, 0.95), alpha: 0.85, lit: false))
        }
    }
}

import FacelyzrRandom

extension FaceCanvas {
    /// Paints the background of the given kind over the whole picture, drawing its colours and
    /// geometry from `rng`, then sets the scene light (see ``setLight``).
    mutating func paintBackground(_ kind: SyntheticFaceLatents.BackgroundKind, rng: inout SplitMix64) {
        func randomColor(_ rng: inout SplitMix64) -> Color {
            // A grey level with a moderate colour cast.
            let level = rng.uniform(0.1, 0.9)
            return Color(level + rng.uniform(-0.2, 0.2), level + rng.uniform(-0.2, 0.2), level + rng.uniform(-0.2, 0.2))
        }
        let first = randomColor(&rng), second = randomColor(&rng)
        let angle = rng.uniform(-DeterministicMath.pi, DeterministicMath.pi)
        let dx = DeterministicMath.cos(angle), dy = DeterministicMath.sin(angle)
        let period = rng.uniform(4, 14) * Float(size) / 64
        let noiseScale = rng.uniform(3, 12) * Float(size) / 64
        let inverseSize = 1 / Float(size)
        let coarse = NoiseTable(key: key, salt: 4), fine = NoiseTable(key: key, salt: 5)
        let size = size
        rgb.withUnsafeMutableBufferPointer { rgb in
            for y in 0..<size {
                for x in 0..<size {
                    let px = Float(x) - Float(size) / 2, py = Float(y) - Float(size) / 2
                    let along = (px * dx + py * dy) * inverseSize + 0.5
                    var color: Color
                    switch kind {
                    case .gradient, .clutter:
                        color = first.mixed(with: second, DeterministicMath.clamp(along, 0, 1))
                    case .texture:
                        let n = 0.7 * coarse.smooth(Float(x) / noiseScale, Float(y) / noiseScale)
                            + 0.3 * fine.raw(Int32(x), Int32(y))
                        color = first.mixed(with: second, n)
                    case .stripes:
                        let stripe = DeterministicMath.wave((px * dy - py * dx) / period) > 0
                        color = stripe ? first : second
                    }
                    let i = (y * size + x) * 3
                    rgb[i] = color.r
                    rgb[i + 1] = color.g
                    rgb[i + 2] = color.b
                }
            }
        }
        if kind == .clutter {
            let count = 4 + rng.below(6)
            let flat = FaceFrame(centerX: 0, centerY: 0, pixelsPerUnit: 1, cosRoll: 1, sinRoll: 0)
            var clutter = FaceCanvas(size: size, frame: flat, key: key)
            clutter.rgb = rgb
            for _ in 0..<count {
                let u = rng.uniform(0, Float(size)), v = rng.uniform(0, Float(size))
                let a = rng.uniform(2, 14) * Float(size) / 64, b = rng.uniform(2, 14) * Float(size) / 64
                let paint = Paint(color: randomColor(&rng), lit: false)
                if rng.chance(0.5) {
                    clutter.fill(Ellipse(u, v, a, b, angle: rng.uniform(-1.5, 1.5)), paint)
                } else {
                    clutter.fill(Capsule(au: u, av: v, bu: u + a, bv: v + b, r: rng.uniform(0.5, 3)), paint)
                }
            }
            rgb = clutter.rgb
        }
    }

    /// Sets the per-pixel light of lit paints: ambient plus a directional light on a head-sized
    /// ellipsoid (points off it get the light of its rim), times a colour tint.
    mutating func setLight(ambient: Float, strength: Float, angle: Float, tint: (Float, Float, Float)) {
        // Mostly from above (v points down), from any side.
        let lu = 0.8 * DeterministicMath.cos(angle)
        let lv = -0.35 + 0.35 * DeterministicMath.sin(angle)
        let lz: Float = 0.62
        let frame = frame, size = size
        light.withUnsafeMutableBufferPointer { light in
            for y in 0..<size {
                for x in 0..<size {
                    let (u, v) = frame.face(Float(x) + 0.5, Float(y) + 0.5)
                    var nu = u / 1.25, nv = (v + 0.05) / 1.5
                    let r2 = nu * nu + nv * nv
                    var nz: Float = 0
                    if r2 < 1 {
                        nz = (1 - r2).squareRoot()
                    } else {
                        let r = r2.squareRoot()
                        nu /= r
                        nv /= r
                    }
                    let diffuse = max(0, nu * lu + nv * lv + nz * lz)
                    let level = ambient + strength * diffuse * 1.3
                    let i = (y * size + x) * 3
                    light[i] = level * (1 + tint.0)
                    light[i + 1] = level * (1 + tint.1)
                    light[i + 2] = level * (1 + tint.2)
                }
            }
        }
    }
}

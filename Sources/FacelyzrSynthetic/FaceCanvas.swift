/// The placement of face space in the picture: roll, scale, translation (pixels).
struct FaceFrame {
    var centerX, centerY, pixelsPerUnit, cosRoll, sinRoll: Float

    /// Face-space coordinates of the pixel position (x, y).
    @inline(__always)
    func face(_ x: Float, _ y: Float) -> (Float, Float) {
        let dx = x - centerX, dy = y - centerY
        return ((dx * cosRoll + dy * sinRoll) / pixelsPerUnit, (dy * cosRoll - dx * sinRoll) / pixelsPerUnit)
    }

    /// The pixel position of the face-space point (u, v).
    @inline(__always)
    func pixel(_ u: Float, _ v: Float) -> (Float, Float) {
        (centerX + pixelsPerUnit * (u * cosRoll - v * sinRoll), centerY + pixelsPerUnit * (u * sinRoll + v * cosRoll))
    }
}

/// A colour in linear 0...1 RGB.
struct Color: Sendable {
    var r, g, b: Float

    init(_ r: Float, _ g: Float, _ b: Float) {
        self.r = r
        self.g = g
        self.b = b
    }

    static func * (c: Color, k: Float) -> Color { Color(c.r * k, c.g * k, c.b * k) }

    /// `self` moved towards `other` by t.
    func mixed(with other: Color, _ t: Float) -> Color {
        Color(r + (other.r - r) * t, g + (other.g - g) * t, b + (other.b - b) * t)
    }
}

/// How a shape is filled: colour, opacity, an optional texture, and whether the scene light
/// falls on it.
struct Paint {
    enum Texture {
        case none
        /// Strands along v; `frequency` strands per unit, `wave` their sideways swing,
        /// `contrast` the brightness range between strands.
        case hair(frequency: Float, wave: Float, contrast: Float)
        /// Blotches of relative amplitude `amplitude`.
        case skin(amplitude: Float)
        /// Only a fraction `density` of pixels fully covered (stubble).
        case stipple(density: Float)
    }

    var color: Color
    var alpha: Float = 1
    var texture: Texture = .none
    var lit = true
}

/// The float RGB picture being painted, with the per-pixel light of the scene.
struct FaceCanvas {
    let size: Int
    let frame: FaceFrame
    /// Seeds textures and noise.
    let key: UInt64
    /// size * size * 3 floats, 0...1, row-major, RGB interleaved.
    var rgb: [Float]
    /// Per-pixel, per-channel light multiplier for lit paints.
    var light: [Float]

    init(size: Int, frame: FaceFrame, key: UInt64) {
        self.size = size
        self.frame = frame
        self.key = key
        rgb = [Float](repeating: 0, count: size * size * 3)
        light = [Float](repeating: 1, count: size * size * 3)
    }

    /// The pixel rectangle (inclusive) covering the face-space box `b`, clipped to the picture.
    private func pixelBounds(_ b: (Float, Float, Float, Float)) -> (Int, Int, Int, Int)? {
        let p = frame.pixel(b.0, b.2), q = frame.pixel(b.1, b.2)
        let r = frame.pixel(b.0, b.3), s = frame.pixel(b.1, b.3)
        var x0 = min(min(p.0, q.0), min(r.0, s.0)), x1 = max(max(p.0, q.0), max(r.0, s.0))
        var y0 = min(min(p.1, q.1), min(r.1, s.1)), y1 = max(max(p.1, q.1), max(r.1, s.1))
        let limit = Float(size)
        x0 = max(x0 - 1, 0); y0 = max(y0 - 1, 0); x1 = min(x1 + 1, limit - 1); y1 = min(y1 + 1, limit - 1)
        if x0 > x1 || y0 > y1 { return nil }
        return (Int(x0), Int(x1), Int(y0), Int(y1))
    }

    /// Paints `shape` with `paint`, anti-aliased over about one pixel at its edge.
    mutating func fill<S: FaceShape>(_ shape: S, _ paint: Paint) {
        guard let (x0, x1, y0, y1) = pixelBounds(shape.bounds) else { return }
        let ppu = frame.pixelsPerUnit
        let size = size, frame = frame
        let hairNoise = NoiseTable(key: key, salt: 1), skinNoise = NoiseTable(key: key, salt: 2)
        let stippleNoise = NoiseTable(key: key, salt: 3)
        light.withUnsafeBufferPointer { light in
            rgb.withUnsafeMutableBufferPointer { rgb in
                for y in y0...y1 {
                    for x in x0...x1 {
                        let (u, v) = frame.face(Float(x) + 0.5, Float(y) + 0.5)
                        var coverage = 0.5 - shape.distance(u, v) * ppu
                        if coverage <= 0 { continue }
                        if coverage > 1 { coverage = 1 }
                        coverage *= paint.alpha
                        var shade: Float = 1
                        switch paint.texture {
                        case .none:
                            break
                        case let .hair(frequency, wave, contrast):
                            let su = u + wave * DeterministicMath.wave(v * 2.5)
                            shade = 1 + contrast * (hairNoise.smooth(su * frequency, v * 3) - 0.55)
                        case let .skin(amplitude):
                            shade = 1 + amplitude * (skinNoise.smooth(u * 8, v * 8) - 0.5)
                        case let .stipple(density):
                            if stippleNoise.raw(Int32(x), Int32(y)) > density { coverage *= 0.25 }
                        }
                        let i = (y * size + x) * 3
                        let lr = paint.lit ? light[i] : 1, lg = paint.lit ? light[i + 1] : 1
                        let lb = paint.lit ? light[i + 2] : 1
                        rgb[i] += (paint.color.r * shade * lr - rgb[i]) * coverage
                        rgb[i + 1] += (paint.color.g * shade * lg - rgb[i + 1]) * coverage
                        rgb[i + 2] += (paint.color.b * shade * lb - rgb[i + 2]) * coverage
                    }
                }
            }
        }
    }
}

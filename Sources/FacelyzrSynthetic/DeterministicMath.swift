/// Math the renderer needs, written with IEEE-754 basic operations only (+, -, *, /, sqrt,
/// which are correctly rounded on every platform), so no libm routine can make two machines
/// disagree. Swift does not contract `a * b + c` into a fused multiply-add unless asked, so
/// these expressions round the same everywhere. See docs/synthetic-faces.md "Determinism".
enum DeterministicMath {
    static let pi: Float = 3.141_592_7

    /// sin(x) for |x| <= pi: range-reduced to [-pi/2, pi/2], then a degree-9 odd Taylor
    /// polynomial (error below 4e-6).
    static func sin(_ x: Float) -> Float {
        var t = x
        if t > pi / 2 { t = pi - t } else if t < -pi / 2 { t = -pi - t }
        let t2 = t * t
        return t * (1 - t2 / 6 * (1 - t2 / 20 * (1 - t2 / 42 * (1 - t2 / 72))))
    }

    /// cos(x) for |x| <= pi.
    static func cos(_ x: Float) -> Float {
        sin(pi / 2 - abs(x))
    }

    /// A smooth periodic wave with period 1 and range [-1, 1] (a piecewise parabola close to
    /// sin(2 pi x)), for hair waves and textures; valid for any finite x.
    @inline(__always)
    static func wave(_ x: Float) -> Float {
        let f = x - floor(x)
        let t = f < 0.5 ? f : f - 0.5
        let hump = 16 * t * (0.5 - t)
        return f < 0.5 ? hump : -hump
    }

    /// Largest integer-valued Float not above x (|x| < 2^31).
    @inline(__always)
    static func floor(_ x: Float) -> Float {
        let i = Float(Int32(x))
        return i > x ? i - 1 : i
    }

    @inline(__always)
    static func clamp(_ x: Float, _ low: Float, _ high: Float) -> Float {
        x < low ? low : (x > high ? high : x)
    }

    /// 0 below `edge0`, 1 above `edge1`, a cubic ramp between.
    @inline(__always)
    static func smoothstep(_ edge0: Float, _ edge1: Float, _ x: Float) -> Float {
        let t = clamp((x - edge0) / (edge1 - edge0), 0, 1)
        return t * t * (3 - 2 * t)
    }
}

/// Shapes the renderer paints, described in face space by a signed distance (negative inside,
/// in face units) and a face-space bounding box. Face space: origin at the centre of the head,
/// u to the right, v down, 1 unit about half the head's width.
protocol FaceShape {
    /// (minU, maxU, minV, maxV), enclosing every point with distance < 0.1.
    var bounds: (Float, Float, Float, Float) { get }
    func distance(_ u: Float, _ v: Float) -> Float
}

private let unbounded: (Float, Float, Float, Float) = (-1e4, 1e4, -1e4, 1e4)

/// An ellipse with radii (ru, rv), rotated by `angle` radians; first-order distance.
struct Ellipse: FaceShape {
    var cu, cv, ru, rv, cosA, sinA: Float

    init(_ cu: Float, _ cv: Float, _ ru: Float, _ rv: Float, angle: Float = 0) {
        self.cu = cu
        self.cv = cv
        self.ru = ru
        self.rv = rv
        cosA = angle == 0 ? 1 : DeterministicMath.cos(angle)
        sinA = angle == 0 ? 0 : DeterministicMath.sin(angle)
    }

    var bounds: (Float, Float, Float, Float) {
        let halfU = ((ru * cosA) * (ru * cosA) + (rv * sinA) * (rv * sinA)).squareRoot() + 0.1
        let halfV = ((ru * sinA) * (ru * sinA) + (rv * cosA) * (rv * cosA)).squareRoot() + 0.1
        return (cu - halfU, cu + halfU, cv - halfV, cv + halfV)
    }

    @inline(__always)
    func distance(_ u: Float, _ v: Float) -> Float {
        let du = u - cu, dv = v - cv
        let x = du * cosA + dv * sinA, y = dv * cosA - du * sinA
        let gx = x / (ru * ru), gy = y / (rv * rv)
        let g2 = gx * gx + gy * gy
        let f = (x * gx + y * gy).squareRoot()
        if g2 < 1e-12 { return -(ru < rv ? ru : rv) }
        return (f - 1) * f / g2.squareRoot()
    }
}

/// A segment from a to b with round ends, of half-width r.
struct Capsule: FaceShape {
    var au, av, bu, bv, r: Float

    var bounds: (Float, Float, Float, Float) {
        ((au < bu ? au : bu) - r - 0.1, (au > bu ? au : bu) + r + 0.1,
         (av < bv ? av : bv) - r - 0.1, (av > bv ? av : bv) + r + 0.1)
    }

    @inline(__always)
    func distance(_ u: Float, _ v: Float) -> Float {
        let pu = u - au, pv = v - av, du = bu - au, dv = bv - av
        let t = DeterministicMath.clamp((pu * du + pv * dv) / (du * du + dv * dv + 1e-12), 0, 1)
        let eu = pu - du * t, ev = pv - dv * t
        return (eu * eu + ev * ev).squareRoot() - r
    }
}

/// A stroke along the parabola v = cv + k (x)^2 (x along the stroke, rotated by `angle`),
/// |x| <= halfLength, of half-width w narrowing by `taper` towards the ends.
struct Curve: FaceShape {
    var cu, cv, halfLength, k, w, taper, cosA, sinA: Float

    init(_ cu: Float, _ cv: Float, halfLength: Float, curvature k: Float, halfWidth w: Float,
         taper: Float = 0, angle: Float = 0) {
        self.cu = cu
        self.cv = cv
        self.halfLength = halfLength
        self.k = k
        self.w = w
        self.taper = taper
        cosA = angle == 0 ? 1 : DeterministicMath.cos(angle)
        sinA = angle == 0 ? 0 : DeterministicMath.sin(angle)
    }

    var bounds: (Float, Float, Float, Float) {
        let r = halfLength + w + abs(k) * halfLength * halfLength + 0.1
        return (cu - r, cu + r, cv - r, cv + r)
    }

    @inline(__always)
    func distance(_ u: Float, _ v: Float) -> Float {
        let du = u - cu, dv = v - cv
        let x = du * cosA + dv * sinA, y = dv * cosA - du * sinA
        let slope = 2 * k * x
        let t = x / halfLength
        let across = abs(y - k * x * x) / (1 + slope * slope).squareRoot() - w * (1 - taper * t * t)
        let along = abs(x) - halfLength
        return across > along ? across : along
    }
}

/// The outline of a ring around an ellipse, of half-width w.
struct Ring: FaceShape {
    var ellipse: Ellipse
    var w: Float

    var bounds: (Float, Float, Float, Float) {
        let b = ellipse.bounds
        return (b.0 - w, b.1 + w, b.2 - w, b.3 + w)
    }

    @inline(__always)
    func distance(_ u: Float, _ v: Float) -> Float {
        abs(ellipse.distance(u, v)) - w
    }
}

/// Points of `a` that are also in `b`.
struct Intersection<A: FaceShape, B: FaceShape>: FaceShape {
    var a: A
    var b: B

    init(_ a: A, _ b: B) {
        self.a = a
        self.b = b
    }

    var bounds: (Float, Float, Float, Float) {
        let p = a.bounds, q = b.bounds
        return (max(p.0, q.0), min(p.1, q.1), max(p.2, q.2), min(p.3, q.3))
    }

    @inline(__always)
    func distance(_ u: Float, _ v: Float) -> Float {
        let da = a.distance(u, v), db = b.distance(u, v)
        return da > db ? da : db
    }
}

/// Points of `a` that are not in `b`.
struct Difference<A: FaceShape, B: FaceShape>: FaceShape {
    var a: A
    var b: B

    init(_ a: A, minus b: B) {
        self.a = a
        self.b = b
    }

    var bounds: (Float, Float, Float, Float) { a.bounds }

    @inline(__always)
    func distance(_ u: Float, _ v: Float) -> Float {
        let da = a.distance(u, v), db = -b.distance(u, v)
        return da > db ? da : db
    }
}

/// The points above the parabola v = v0 + slope u + k u^2 (smaller v), e.g. hair above a
/// hairline.
struct AboveCurve: FaceShape {
    var v0, k: Float
    var slope: Float = 0
    var bounds: (Float, Float, Float, Float) { unbounded }

    @inline(__always)
    func distance(_ u: Float, _ v: Float) -> Float {
        v - (v0 + (slope + k * u) * u)
    }
}

/// The points below the line v = v0.
struct Below: FaceShape {
    var v0: Float
    var bounds: (Float, Float, Float, Float) { unbounded }

    @inline(__always)
    func distance(_ u: Float, _ v: Float) -> Float {
        v0 - v
    }
}

/// The face's skin outline: an elliptic cranium and forehead above v = 0, and below it a jaw
/// between round and square (`squareness` 0...1) that narrows linearly towards the chin by
/// `narrowing`.
struct FaceOutline: FaceShape {
    var halfWidth, top, chin, squareness, narrowing: Float

    var bounds: (Float, Float, Float, Float) {
        (-halfWidth - 0.1, halfWidth + 0.1, -top - 0.1, chin + 0.1)
    }

    @inline(__always)
    func distance(_ u: Float, _ v: Float) -> Float {
        if v < 0 {
            let x = u / halfWidth, y = v / top
            return ((x * x + y * y).squareRoot() - 1) * halfWidth
        }
        let y = v / chin
        let x = u / (halfWidth * (1 - narrowing * y))
        let x2 = x * x, y2 = y * y
        let round = (x2 + y2).squareRoot()
        let square = (x2 * x2 + y2 * y2).squareRoot().squareRoot()
        return (round + (square - round) * squareness - 1) * halfWidth
    }
}

/// What is known about one face: gender, age and CelebA-named attributes, each possibly unknown.
public struct FaceLabels: Sendable, Equatable {
    /// 1 = male, 0 = female (the IMDB-WIKI / CelebA `Male` convention); nil when unknown.
    public var gender: UInt8?
    /// Age in years; nil when unknown.
    public var age: Float?
    /// Attribute values with their known-mask.
    public var attributes: CelebAAttributes
    /// Where the face's box lies relative to the picture (a detector's training window); nil when
    /// unknown, as for every picture that is not such a window of a face.
    public var faceBox: FaceBoxOffset?

    public init(gender: UInt8? = nil, age: Float? = nil, attributes: CelebAAttributes = CelebAAttributes(),
                faceBox: FaceBoxOffset? = nil) {
        self.gender = gender
        self.age = age
        self.attributes = attributes
        self.faceBox = faceBox
    }
}

/// The face's box relative to a square window showing it, in window sides: the target of a
/// detector's box head (docs/detection.md "Box regression"). For a window at `(wx, wy)` of side
/// `w` and a face box of centre `(cx, cy)` and side `f`: `x = (cx - wx - w / 2) / w`,
/// `y = (cy - wy - w / 2) / w`, `logScale = ln(f / w)`.
public struct FaceBoxOffset: Sendable, Equatable {
    /// The face centre's offset from the window centre along x, in window sides.
    public var x: Float
    /// ... along y.
    public var y: Float
    /// The natural logarithm of the face side over the window side.
    public var logScale: Float

    public init(x: Float, y: Float, logScale: Float) {
        self.x = x
        self.y = y
        self.logScale = logScale
    }

    /// The largest `logScale` magnitude stored: ln 8, a face 8 times larger or smaller than the window.
    public static let logScaleLimit: Float = 2.0794415

    /// Why the offset cannot be stored (a value not finite, the centre more than one window side
    /// away, or a face more than 8 times larger or smaller than the window), or nil.
    public var problem: String? {
        guard x.isFinite, y.isFinite, logScale.isFinite else { return "face box offset (\(x), \(y), \(logScale)) not finite" }
        guard abs(x) <= 1, abs(y) <= 1 else { return "face box centre (\(x), \(y)) more than one window side away" }
        guard abs(logScale) <= Self.logScaleLimit else { return "face box log scale \(logScale) outside -ln 8...ln 8" }
        return nil
    }
}

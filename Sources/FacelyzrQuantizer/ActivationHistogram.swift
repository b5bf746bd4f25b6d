/// Counts of one activation's float values over the calibration images, in `2 * binsPerSide`
/// equal bins on `[-limit, limit]` (zero on a bin edge), plus the exact minimum and maximum,
/// which a first pass over the images found (`limit = max(|minimum|, |maximum|)`).
public struct ActivationHistogram: Sendable, Equatable {
    public static let defaultBinsPerSide = 2048
    public let limit: Float
    public let binsPerSide: Int
    public private(set) var counts: [Double]
    public private(set) var minimum: Float
    public private(set) var maximum: Float

    public init(minimum: Float, maximum: Float, binsPerSide: Int = defaultBinsPerSide) {
        limit = max(abs(minimum), abs(maximum))
        self.binsPerSide = binsPerSide
        counts = [Double](repeating: 0, count: 2 * binsPerSide)
        self.minimum = minimum
        self.maximum = maximum
    }

    public var binWidth: Float { limit > 0 ? limit / Float(binsPerSide) : 0 }
    public var total: Double { counts.reduce(0, +) }

    /// Bin of value `x` (clamped to the outer bins).
    func bin(_ x: Float) -> Int {
        guard limit > 0 else { return binsPerSide }
        let b = Int(((x + limit) / limit * Float(binsPerSide)).rounded(.down))
        return max(0, min(2 * binsPerSide - 1, b))
    }

    /// Centre of bin `b`.
    public func center(_ b: Int) -> Float { (Float(b - binsPerSide) + 0.5) * binWidth }

    /// Adds `values` (all within the first pass's minimum and maximum).
    public mutating func add(_ values: UnsafeBufferPointer<Float>) {
        guard limit > 0 else {
            counts[binsPerSide] += Double(values.count)
            return
        }
        let factor = Float(binsPerSide) / limit
        let last = 2 * binsPerSide - 1
        counts.withUnsafeMutableBufferPointer { c in
            for x in values {
                let b = Int(((x + limit) * factor).rounded(.down))
                c[b < 0 ? 0 : b > last ? last : b] += 1
            }
        }
    }

    /// The real value below which a fraction `p` of the counted values lie: the upper edge of
    /// the bin where the cumulative count reaches `p` (its lower edge with `lowerEdge`), within
    /// `[minimum, maximum]`.
    public func quantile(_ p: Double, lowerEdge: Bool = false) -> Float {
        let target = p * total
        var sum = 0.0
        for b in counts.indices {
            sum += counts[b]
            if sum >= target && sum > 0 {
                return min(maximum, max(minimum, center(b) + (lowerEdge ? -binWidth / 2 : binWidth / 2)))
            }
        }
        return maximum
    }
}

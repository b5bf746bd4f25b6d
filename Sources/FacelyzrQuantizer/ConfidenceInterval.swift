import Foundation

/// A value with its 95% confidence interval.
public struct Estimate: Codable, Sendable, Equatable {
    public var value: Double
    public var low: Double
    public var high: Double

    public init(value: Double, low: Double, high: Double) {
        self.value = value
        self.low = low
        self.high = high
    }

    /// Wilson score interval of a proportion, in percent.
    public static func proportion(successes: Int, count: Int) -> Estimate {
        guard count > 0 else { return Estimate(value: .nan, low: .nan, high: .nan) }
        let z = 1.959963984540054, n = Double(count), p = Double(successes) / n
        let centre = (p + z * z / (2 * n)) / (1 + z * z / n)
        let half = z / (1 + z * z / n) * (p * (1 - p) / n + z * z / (4 * n * n)).squareRoot()
        return Estimate(value: 100 * p, low: 100 * max(0, centre - half), high: 100 * min(1, centre + half))
    }

    /// Mean with the normal-approximation interval `mean ± 1.96 sd / sqrt(n)` (paired
    /// differences, absolute errors).
    public static func mean(_ values: [Double]) -> Estimate {
        guard !values.isEmpty else { return Estimate(value: .nan, low: .nan, high: .nan) }
        let n = Double(values.count)
        let m = values.reduce(0, +) / n
        let variance = values.count > 1 ? values.reduce(0) { $0 + ($1 - m) * ($1 - m) } / (n - 1) : 0
        let half = 1.959963984540054 * (variance / n).squareRoot()
        return Estimate(value: m, low: m - half, high: m + half)
    }

    /// Root mean square with the interval from the mean of squares' interval.
    public static func rootMeanSquare(_ errors: [Double]) -> Estimate {
        let squares = mean(errors.map { $0 * $0 })
        return Estimate(value: squares.value.squareRoot(), low: max(0, squares.low).squareRoot(), high: squares.high.squareRoot())
    }

    /// `12.34 [11.9, 12.8]`.
    public func formatted(_ digits: Int = 2) -> String {
        guard value.isFinite else { return "n/a" }
        let f = "%.\(digits)f"
        return String(format: f, value) + " [" + String(format: f, low) + ", " + String(format: f, high) + "]"
    }
}

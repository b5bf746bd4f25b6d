import Foundation

/// How an activation's range is chosen from its calibration histogram
/// (docs/quantization.md "Quantizer: calibration").
public enum CalibrationMethod: Sendable, Equatable, Hashable, Codable {
    /// The observed minimum and maximum.
    case minMax
    /// The `percent` and `100 - percent` percentiles (the minimum when it is 0, e.g. after a ReLU).
    case percentile(Double)
    /// The clipping range that minimises the expected squared quantization error (clipping plus rounding).
    case mse
    /// The clipping range that minimises the KL divergence between the histogram and its
    /// 256-level quantized version (TensorRT's entropy calibration).
    case entropy
    /// Per layer, whichever of the four above gives the int8 model's output of that layer the
    /// highest SQNR against float on calibration images (run through the runtime).
    case auto

    /// The methods `auto` chooses from.
    public static let candidates: [CalibrationMethod] = [.minMax, .percentile(99.99), .mse, .entropy]

    /// Parses `minmax`, `percentile` (99.99), `percentile:99.9`, `mse`, `entropy`, `auto`.
    public init?(name: String) {
        switch name.lowercased() {
        case "minmax", "min-max": self = .minMax
        case "percentile": self = .percentile(99.99)
        case "mse": self = .mse
        case "entropy", "kl": self = .entropy
        case "auto": self = .auto
        default:
            let parts = name.split(separator: ":")
            guard parts.count == 2, parts[0].lowercased() == "percentile", let p = Double(parts[1]), p > 50, p <= 100 else { return nil }
            self = .percentile(p)
        }
    }

    public var name: String {
        switch self {
        case .minMax: "minmax"
        case .percentile(let p): "percentile:\(p)"
        case .mse: "mse"
        case .entropy: "entropy"
        case .auto: "auto"
        }
    }

    /// The range this method picks for `histogram` (`auto` is resolved by the calibrator, not here).
    public func range(_ histogram: ActivationHistogram) -> ActivationRange {
        let full = ActivationRange(low: min(histogram.minimum, 0), high: max(histogram.maximum, 0))
        guard histogram.limit > 0, histogram.total > 0 else { return full }
        switch self {
        case .minMax, .auto:
            return full
        case .percentile(let p):
            let tail = (100 - p) / 100
            let low = histogram.minimum >= 0 ? histogram.minimum : min(0, histogram.quantile(tail, lowerEdge: true))
            return ActivationRange(low: low, high: max(0, histogram.quantile(1 - tail)))
        case .mse:
            return Self.searchThreshold(histogram) { window in Self.expectedSquaredError(histogram, window) }
        case .entropy:
            return Self.searchThreshold(histogram, minimumLevelsBins: 256) { window in Self.divergence(histogram, window) }
        }
    }

    /// Candidate windows `[-T, T] ∩ [min, max]` for thresholds `T` on bin edges; returns the one
    /// with the lowest `cost` (ties: the widest). `minimumLevelsBins`: windows narrower than this
    /// many bins are skipped.
    static func searchThreshold(_ h: ActivationHistogram, minimumLevelsBins: Int = 1,
                                cost: (ClosedRange<Int>) -> Double) -> ActivationRange {
        let n = h.binsPerSide
        let firstBin = h.bin(h.minimum), lastBin = h.bin(h.maximum)
        var best: (cost: Double, window: ClosedRange<Int>)?
        let step = max(1, n / 512)
        for k in stride(from: n, through: 1, by: -step) {
            let window = max(firstBin, n - k)...min(lastBin, n + k - 1)
            guard window.count >= minimumLevelsBins else { continue }
            let c = cost(window)
            if best == nil || c < best!.cost { best = (c, window) }
        }
        guard let window = best?.window else {
            return ActivationRange(low: min(h.minimum, 0), high: max(h.maximum, 0))
        }
        let w = h.binWidth
        let low = window.lowerBound == firstBin ? h.minimum : Float(window.lowerBound - n) * w
        let high = window.upperBound == lastBin ? h.maximum : Float(window.upperBound + 1 - n) * w
        return ActivationRange(low: min(low, 0), high: max(high, 0))
    }

    /// Sum over bins of `count * (centre - dequant(quant(centre)))^2` for the quantization of `window`.
    static func expectedSquaredError(_ h: ActivationHistogram, _ window: ClosedRange<Int>) -> Double {
        let n = h.binsPerSide, w = h.binWidth
        let q = ActivationRange(low: Float(window.lowerBound - n) * w, high: Float(window.upperBound + 1 - n) * w).quantization
        let scale = Double(q.scale), zp = Double(q.zeroPoint)
        var error = 0.0
        for b in h.counts.indices where h.counts[b] > 0 {
            let x = Double(h.center(b))
            let level = max(-128, min(127, (x / scale).rounded(.toNearestOrAwayFromZero) + zp))
            let d = x - scale * (level - zp)
            error += h.counts[b] * d * d
        }
        return error
    }

    /// KL(P || Q): P the histogram on `window` with the counts outside added to its edge bins,
    /// Q the same merged into 256 equal groups of bins, each group's mass spread evenly over its
    /// non-empty bins (TensorRT's entropy calibration, with 256 levels for an asymmetric int8).
    static func divergence(_ h: ActivationHistogram, _ window: ClosedRange<Int>) -> Double {
        var p = Array(h.counts[window])
        p[0] += h.counts[..<window.lowerBound].reduce(0, +)
        p[p.count - 1] += h.counts[(window.upperBound + 1)...].reduce(0, +)
        let total = p.reduce(0, +)
        guard total > 0 else { return 0 }
        let m = p.count, levels = 256
        var q = [Double](repeating: 0, count: m)
        for j in 0..<levels {
            let start = j * m / levels, end = (j + 1) * m / levels
            guard end > start else { continue }
            let mass = p[start..<end].reduce(0, +)
            let nonEmpty = p[start..<end].filter { $0 > 0 }.count
            guard nonEmpty > 0 else { continue }
            for i in start..<end where p[i] > 0 { q[i] = mass / Double(nonEmpty) }
        }
        var kl = 0.0
        for i in 0..<m where p[i] > 0 { kl += p[i] / total * log(p[i] / q[i]) }
        return kl
    }
}

import Foundation

/// Signal-to-quantization-noise ratio in dB, `10 log10(sum s^2 / sum (s - a)^2)`, capped at
/// `SQNR.exact` when the two are equal (JSON has no infinity).
public enum SQNR {
    /// Reported when the approximation is exact.
    public static let exact = 200.0

    public static func decibels(signal: [Float], approximation: [Float]) -> Double {
        precondition(signal.count == approximation.count)
        var s = 0.0, n = 0.0
        for i in signal.indices {
            let x = Double(signal[i]), d = x - Double(approximation[i])
            s += x * x
            n += d * d
        }
        return decibels(signalEnergy: s, noiseEnergy: n)
    }

    /// From the summed squares of the signal and of the error.
    public static func decibels(signalEnergy s: Double, noiseEnergy n: Double) -> Double {
        guard n > 0 else { return exact }
        guard s > 0 else { return -exact }
        return max(-exact, min(exact, 10 * log10(s / n)))
    }

    /// Mean over output columns of `reference` rows (`[face][output]`) of each column's SQNR,
    /// its signal taken about the column's mean: an age in years and a logit weigh the same,
    /// and a constant offset is not mistaken for signal.
    public static func meanOverOutputs(reference: [[Float]], approximation: [[Float]]) -> Double {
        precondition(reference.count == approximation.count && !reference.isEmpty)
        let columns = reference[0].count
        var total = 0.0
        for j in 0..<columns {
            let mean = reference.reduce(0.0) { $0 + Double($1[j]) } / Double(reference.count)
            var s = 0.0, n = 0.0
            for (r, a) in zip(reference, approximation) {
                let x = Double(r[j]), d = x - Double(a[j])
                s += (x - mean) * (x - mean)
                n += d * d
            }
            total += decibels(signalEnergy: s, noiseEnergy: n)
        }
        return total / Double(columns)
    }
}

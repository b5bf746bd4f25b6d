import FacelyzrRandom
import Testing
@testable import FacelyzrTrainer

// Finite-difference gradient checks. Every layer function is checked through a scalar
// L = sum_i r_i * y_i (r random, summed in Double) against central differences
// (L(x + h) - L(x - h)) / 2h with h = 1e-2 computed in Float. The layers are linear (or
// piecewise linear with inputs chosen away from the kinks), so the difference has no truncation
// error and only Float rounding remains: about 1e-5 on L, 1e-3 on the quotient. Hence the
// tolerance |numeric - analytic| <= 1e-2 * max(|numeric|, |analytic|) + 2e-3.

/// `sum r_i * y_i` in Double.
func projection(_ y: Tensor, _ r: [Float]) -> Double {
    precondition(y.count == r.count)
    var s = 0.0
    for i in 0..<r.count { s += Double(r[i]) * Double(y.values[i]) }
    return s
}

/// Random values in [-1, 1).
func randomValues(_ count: Int, _ g: inout SplitMix64) -> [Float] {
    (0..<count).map { _ in g.unit() * 2 - 1 }
}

func randomTensor(_ shape: [Int], _ g: inout SplitMix64) -> Tensor {
    Tensor(shape: shape, values: randomValues(shape.reduce(1, *), &g))
}

/// Compares `analytic` with central differences of `loss` around `x` at up to `samples` indices.
func expectGradientMatches(
    _ what: String, at x: [Float], analytic: [Float], samples: Int = 48, step: Float = 1e-2,
    sourceLocation: SourceLocation = #_sourceLocation, loss: ([Float]) -> Double
) {
    #expect(analytic.count == x.count, "\(what): gradient has \(analytic.count) values for \(x.count) inputs",
            sourceLocation: sourceLocation)
    let stride = max(1, x.count / samples)
    for i in Swift.stride(from: 0, to: x.count, by: stride) {
        var plus = x, minus = x
        plus[i] += step
        minus[i] -= step
        let numeric = (loss(plus) - loss(minus)) / Double(plus[i] - minus[i])
        let a = Double(analytic[i])
        let error = abs(numeric - a) - 1e-2 * max(abs(numeric), abs(a))
        if error > 2e-3 {
            Issue.record("\(what)[\(i)]: analytic \(a), numeric \(numeric)", sourceLocation: sourceLocation)
            return
        }
    }
}

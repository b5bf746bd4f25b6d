import FacelyzrRandom
import Testing
@testable import FacelyzrData

@Suite struct LinearProbesTests {
    /// Rows of three features drawn from a fixed stream.
    func rows(_ count: Int) -> [[Float]] {
        var rng = SplitMix64(state: 99)
        return (0..<count).map { _ in [rng.uniform(-1, 1), rng.uniform(0, 10), rng.normal()] }
    }

    @Test func ridgeRecoversALinearFunction() {
        let x = rows(200)
        let y = x.map { 3 + 2 * $0[0] - 0.5 * $0[1] + 0 * $0[2] }
        let model = RidgeRegression(fitting: FeatureMatrix(rows: x), to: y, lambda: 1e-6)
        let predicted = model.predict(FeatureMatrix(rows: x))
        for (p, t) in zip(predicted, y) { #expect(abs(p - Double(t)) < 1e-3) }
    }

    @Test func logisticSeparatesALinearlySeparableRule() {
        let x = rows(300)
        let y: [Float] = x.map { $0[0] + 0.1 * $0[1] > 0.5 ? 1 : 0 }
        let model = LogisticRegression(fitting: FeatureMatrix(rows: x), to: y, lambda: 1e-3)
        let correct = zip(model.probabilities(FeatureMatrix(rows: x)), y).filter { ($0 >= 0.5 ? 1 : 0) == $1 }.count
        #expect(correct >= 297)
    }
}

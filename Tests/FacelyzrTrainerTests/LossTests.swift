import FacelyzrRandom
import Foundation
import Testing
@testable import FacelyzrTrainer

@Suite struct LossTests {
    @Test func meanSquaredErrorValueAndGradient() {
        var gen = SplitMix64(state: 20)
        let p = randomTensor([3, 4], &gen), t = randomTensor([3, 4], &gen)
        let (loss, gradient) = meanSquaredError(p, target: t)
        let expected = zip(p.values, t.values).map { ($0 - $1) * ($0 - $1) }.reduce(0, +) / 12
        #expect(abs(loss - expected) < 1e-6)
        expectGradientMatches("mse", at: p.values, analytic: gradient.values) {
            Double(meanSquaredError(Tensor(shape: p.shape, values: $0), target: t).loss)
        }
    }

    @Test func binaryCrossEntropyMatchesTheDefinitionAndSkipsUnknownLabels() {
        let logits = Tensor(shape: [2, 2], values: [0, 2, -1, 30])
        let targets = Tensor(shape: [2, 2], values: [1, 0, .nan, 1])
        let (loss, gradient) = binaryCrossEntropyWithLogits(logits, targets: targets)
        func sigmoid(_ z: Double) -> Double { 1 / (1 + exp(-z)) }
        let expected = (-log(sigmoid(0)) - log(1 - sigmoid(2)) - log(sigmoid(30))) / 3
        #expect(abs(Double(loss) - expected) < 1e-6)
        #expect(gradient.values[2] == 0)
        expectGradientMatches("bce", at: logits.values, analytic: gradient.values, step: 1e-3) {
            Double(binaryCrossEntropyWithLogits(Tensor(shape: [2, 2], values: $0), targets: targets).loss)
        }
        // Extreme logits stay finite.
        let extreme = binaryCrossEntropyWithLogits(Tensor(shape: [2], values: [-200, 200]), targets: Tensor(shape: [2], values: [1, 0]))
        #expect(abs(extreme.loss - 200) < 1e-3)
        // No known label: no loss, no gradient.
        let none = binaryCrossEntropyWithLogits(Tensor(shape: [2], values: [1, 2]), targets: Tensor(shape: [2], values: [.nan, .nan]))
        #expect(none.loss == 0 && none.gradient.values == [0, 0])
    }

    @Test func huberIsQuadraticNearZeroAndLinearBeyondDelta() {
        let p = Tensor(shape: [4], values: [31, 20, 50, 0])
        let t = Tensor(shape: [4], values: [30, 30, .nan, 0.5])
        let (loss, gradient) = huberLoss(p, target: t, delta: 2)
        // |d| = 1 -> 0.5; |d| = 10 -> 2 * (10 - 1) = 18; |d| = 0.5 -> 0.125; one unknown.
        #expect(abs(loss - (0.5 + 18 + 0.125) / 3) < 1e-6)
        let expected: [Float] = [1.0 / 3, -2.0 / 3, 0, -0.5 / 3]
        #expect(gradient.values == expected)
        expectGradientMatches("huber", at: p.values, analytic: gradient.values, step: 1e-3) {
            Double(huberLoss(Tensor(shape: [4], values: $0), target: t, delta: 2).loss)
        }
    }
}

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

    @Test func expectedValueLossMatchesTheDefinitionAndSkipsUnknownTargets() {
        let bins: [Float] = [0, 10, 20]
        let logits = Tensor(shape: [2, 3], values: [0.5, -1, 2, 1, 1, 1])
        let targets = Tensor(shape: [2, 1], values: [12, .nan])
        let (loss, gradient) = binnedExpectationLoss(logits, targets: targets, bins: bins, sigma: 5)
        // Row 0 by hand: p = softmax(0.5, -1, 2), q proportional to exp(-(b - 12)^2 / 50), E = sum p b.
        let e = [0.5, -1.0, 2.0].map(exp), p = e.map { $0 / e.reduce(0, +) }
        let w = [0.0, 10, 20].map { exp(-($0 - 12) * ($0 - 12) / 50) }, q = w.map { $0 / w.reduce(0, +) }
        let expectation = 10 * p[1] + 20 * p[2]
        let expected = -zip(q, p).map { $0 * log($1) }.reduce(0, +) + abs(expectation - 12) / 5
        #expect(abs(Double(loss) - expected) < 1e-5)
        #expect(Array(gradient.values[3...]) == [0, 0, 0])
        expectGradientMatches("expected value", at: logits.values, analytic: gradient.values, step: 1e-3) {
            Double(binnedExpectationLoss(Tensor(shape: [2, 3], values: $0), targets: targets, bins: bins, sigma: 5).loss)
        }
        // The prediction: row 0's E, and the bins' mean for equal logits.
        let values = expectedValues(logits, bins: bins)
        #expect(abs(Double(values[0]) - expectation) < 1e-5 && abs(values[1] - 10) < 1e-5)
        // A target far beyond every bin puts the whole target on the nearest bin: finite loss.
        let far = binnedExpectationLoss(logits, targets: Tensor(shape: [2, 1], values: [1e4, 5]), bins: bins, sigma: 1)
        #expect(far.loss.isFinite && far.gradient.values.allSatisfy(\.isFinite))
    }

    @Test func expectedValueLossIsSmallestWhenTheBinsAgreeWithTheTarget() {
        let bins: [Float] = [0, 10, 20, 30]
        let targets = Tensor(shape: [1, 1], values: [20])
        func loss(_ z: [Float]) -> Float { binnedExpectationLoss(Tensor(shape: [1, 4], values: z), targets: targets, bins: bins, sigma: 4).loss }
        // Sure of the right bin < sure of a neighbour < sure of a far bin: the loss respects order.
        #expect(loss([0, 0, 8, 0]) < loss([0, 8, 0, 0]))
        #expect(loss([0, 8, 0, 0]) < loss([8, 0, 0, 0]))
    }
}

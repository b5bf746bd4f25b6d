import Testing
@testable import FacelyzrTrainer

/// `f(p) = sum (p_i - target_i)^2` with one weight and one bias, to drive optimizers.
struct Quadratic: ParameterContainer {
    var weight = Parameter(Tensor(shape: [3], values: [5, -4, 2]))
    var bias = Parameter(Tensor(shape: [1], values: [3]))
    let target: [Float] = [1, 2, -1, 0.5]

    mutating func visitParameters(_ body: (String, inout Parameter) -> Void) {
        body("weight", &weight)
        body("bias", &bias)
    }

    var loss: Float {
        let all: [Float] = weight.value.values + bias.value.values
        var sum: Float = 0
        for i in 0..<4 { sum += (all[i] - target[i]) * (all[i] - target[i]) }
        return sum
    }

    mutating func computeGradient() {
        let all: [Float] = weight.value.values + bias.value.values
        let g: [Float] = (0..<4).map { 2 * (all[$0] - target[$0]) }
        weight.gradient.values = Array(g[0..<3])
        bias.gradient.values = [g[3]]
    }
}

@Suite struct OptimizerTests {
    @Test func scheduleWarmsUpLinearlyThenFollowsACosine() {
        let s = LearningRateSchedule(baseRate: 1, warmupSteps: 4, totalSteps: 104, finalRate: 0.1)
        #expect(s.rate(atStep: 0) == 0.25)
        #expect(s.rate(atStep: 3) == 1)
        #expect(s.rate(atStep: 4) == 1)
        #expect(abs(s.rate(atStep: 54) - 0.55) < 1e-6)  // halfway: (1 + 0.1) / 2
        #expect(abs(s.rate(atStep: 104) - 0.1) < 1e-6)
        #expect(abs(s.rate(atStep: 500) - 0.1) < 1e-6)
    }

    @Test(arguments: [OptimizerConfig.Method.sgd, .adam])
    func optimizerReachesTheMinimumOfAQuadratic(_ method: OptimizerConfig.Method) {
        let rate: Float = method == .sgd ? 0.05 : 0.1
        var optimizer = Optimizer(OptimizerConfig(method: method, schedule: LearningRateSchedule(baseRate: rate, totalSteps: 300)))
        var q = Quadratic()
        let start = q.loss
        for _ in 0..<300 {
            q.computeGradient()
            optimizer.update(&q)
        }
        #expect(optimizer.step == 300)
        #expect(q.loss < start * 1e-4, "loss \(start) -> \(q.loss)")
    }

    @Test func weightDecayShrinksWeightsButNotBiases() {
        var config = OptimizerConfig(method: .sgd, schedule: LearningRateSchedule(baseRate: 0.1, totalSteps: 1000, finalRate: 0.1))
        config.weightDecay = 0.5
        var optimizer = Optimizer(config)
        var q = Quadratic()
        q.visitParameters { _, p in p.gradient.zero() }
        optimizer.update(&q)
        let shrunk: [Float] = [5 * 0.95, -4 * 0.95, 2 * 0.95]
        #expect(q.weight.value.values == shrunk)
        #expect(q.bias.value.values == [3])
    }
}

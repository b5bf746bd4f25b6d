import Foundation

/// Learning rate per step: linear warm-up from `baseRate / warmupSteps` to `baseRate`, then a
/// cosine from `baseRate` down to `finalRate` at `totalSteps` (and `finalRate` after).
public struct LearningRateSchedule: Codable, Sendable, Equatable {
    public var baseRate: Float
    public var warmupSteps: Int
    public var totalSteps: Int
    public var finalRate: Float

    public init(baseRate: Float, warmupSteps: Int = 0, totalSteps: Int, finalRate: Float = 0) {
        self.baseRate = baseRate
        self.warmupSteps = warmupSteps
        self.totalSteps = totalSteps
        self.finalRate = finalRate
    }

    /// The rate for step `step` (counting from 0).
    public func rate(atStep step: Int) -> Float {
        if step < warmupSteps { return baseRate * Float(step + 1) / Float(warmupSteps) }
        let span = max(totalSteps - warmupSteps, 1)
        let progress = min(Double(step - warmupSteps) / Double(span), 1)
        return finalRate + (baseRate - finalRate) * Float((1 + cos(Double.pi * progress)) / 2)
    }
}

/// Optimizer settings. Weight decay is decoupled (`p -= rate * weightDecay * p`, AdamW style) and
/// applies to weights only, not to biases (parameters named `...bias`).
public struct OptimizerConfig: Codable, Sendable, Equatable {
    /// The update rule.
    public enum Method: String, Codable, Sendable {
        /// `v = momentum * v + g; p -= rate * v`.
        case sgd
        /// Adam (Kingma and Ba 2015) with bias correction.
        case adam
    }

    public var method: Method
    public var schedule: LearningRateSchedule
    public var weightDecay: Float = 0
    public var momentum: Float = 0.9
    public var beta1: Float = 0.9
    public var beta2: Float = 0.999
    public var epsilon: Float = 1e-8

    public init(method: Method, schedule: LearningRateSchedule, weightDecay: Float = 0) {
        self.method = method
        self.schedule = schedule
        self.weightDecay = weightDecay
    }
}

/// SGD with momentum or Adam, with its per-parameter state keyed by parameter name (which a
/// checkpoint stores, so a resumed run continues exactly).
public struct Optimizer: Sendable, Equatable {
    public var config: OptimizerConfig
    /// Steps taken so far.
    public var step: Int = 0
    /// SGD velocity or Adam first moment, per parameter.
    public var firstMoments: [String: [Float]] = [:]
    /// Adam second moment, per parameter.
    public var secondMoments: [String: [Float]] = [:]

    public init(_ config: OptimizerConfig) { self.config = config }

    /// Updates the parameters of `model` from their accumulated gradients (only those whose name
    /// `includes` accepts, when given) and advances the step.
    public mutating func update<Model: ParameterContainer>(_ model: inout Model, includes: ((String) -> Bool)? = nil) {
        let rate = config.schedule.rate(atStep: step)
        let c = config
        let t = Float(step + 1)
        model.visitParameters { name, p in
            if let includes, !includes(name) { return }
            let decay = name.hasSuffix("bias") ? 0 : rate * c.weightDecay
            // Taken out of the dictionary (and put back) so that updating them copies nothing.
            var m = firstMoments.removeValue(forKey: name) ?? [Float](repeating: 0, count: p.value.count)
            switch c.method {
            case .sgd:
                for i in 0..<m.count {
                    m[i] = c.momentum * m[i] + p.gradient.values[i]
                    p.value.values[i] -= rate * m[i] + decay * p.value.values[i]
                }
            case .adam:
                var v = secondMoments.removeValue(forKey: name) ?? [Float](repeating: 0, count: p.value.count)
                let correction1 = 1 - pow(c.beta1, t), correction2 = 1 - pow(c.beta2, t)
                for i in 0..<m.count {
                    let g = p.gradient.values[i]
                    m[i] = c.beta1 * m[i] + (1 - c.beta1) * g
                    v[i] = c.beta2 * v[i] + (1 - c.beta2) * g * g
                    let mHat = m[i] / correction1, vHat = v[i] / correction2
                    p.value.values[i] -= rate * mHat / (vHat.squareRoot() + c.epsilon) + decay * p.value.values[i]
                }
                secondMoments[name] = v
            }
            firstMoments[name] = m
        }
        step += 1
    }
}

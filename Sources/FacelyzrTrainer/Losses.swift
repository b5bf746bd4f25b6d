import Foundation

// Losses return the mean loss and its gradient with respect to the prediction.
// A target that is NaN is an unknown label: it adds nothing to the loss or the gradient, and the
// mean is over the known labels only (all zero when none is known).

/// Mean squared error over all elements, for reconstruction: `mean((prediction - target)^2)`.
public func meanSquaredError(_ prediction: Tensor, target: Tensor) -> (loss: Float, gradient: Tensor) {
    precondition(prediction.shape == target.shape, "MSE shapes \(prediction.shape) vs \(target.shape)")
    var gradient = Tensor(zeros: prediction.shape)
    var sum = 0.0
    let scale = 2 / Float(max(prediction.count, 1))
    for i in 0..<prediction.count {
        let d = prediction.values[i] - target.values[i]
        sum += Double(d * d)
        gradient.values[i] = scale * d
    }
    return (Float(sum / Double(max(prediction.count, 1))), gradient)
}

/// Binary cross-entropy on logits, for gender and attributes: with `p = sigmoid(z)` and target
/// `t` in {0, 1}, `-t log p - (1 - t) log(1 - p)`, computed stably as `max(z, 0) - z t + log(1 + e^-|z|)`.
/// Gradient `(sigmoid(z) - t) / known`.
public func binaryCrossEntropyWithLogits(_ logits: Tensor, targets: Tensor) -> (loss: Float, gradient: Tensor) {
    precondition(logits.shape == targets.shape, "BCE shapes \(logits.shape) vs \(targets.shape)")
    let known = targets.values.reduce(0) { $0 + ($1.isNaN ? 0 : 1) }
    var gradient = Tensor(zeros: logits.shape)
    guard known > 0 else { return (0, gradient) }
    var sum = 0.0
    for i in 0..<logits.count where !targets.values[i].isNaN {
        let z = Double(logits.values[i]), t = Double(targets.values[i])
        sum += max(z, 0) - z * t + log1p(exp(-abs(z)))
        gradient.values[i] = Float((1 / (1 + exp(-z)) - t) / Double(known))
    }
    return (Float(sum / Double(known)), gradient)
}

/// Huber loss, for age: `d^2 / 2` when `|d| <= delta`, else `delta (|d| - delta / 2)`, with
/// `d = prediction - target`. Robust to a few wrong ages; with a small `delta` it is the L1 loss
/// (scaled by `delta`) except near zero.
public func huberLoss(_ prediction: Tensor, target: Tensor, delta: Float) -> (loss: Float, gradient: Tensor) {
    precondition(prediction.shape == target.shape, "Huber shapes \(prediction.shape) vs \(target.shape)")
    let known = target.values.reduce(0) { $0 + ($1.isNaN ? 0 : 1) }
    var gradient = Tensor(zeros: prediction.shape)
    guard known > 0 else { return (0, gradient) }
    var sum = 0.0
    for i in 0..<prediction.count where !target.values[i].isNaN {
        let d = prediction.values[i] - target.values[i]
        if abs(d) <= delta {
            sum += Double(d * d / 2)
            gradient.values[i] = d / Float(known)
        } else {
            sum += Double(delta * (abs(d) - delta / 2))
            gradient.values[i] = (d > 0 ? delta : -delta) / Float(known)
        }
    }
    return (Float(sum / Double(known)), gradient)
}

/// The softmax `p_i = e^(z_i - m) / sum_j e^(z_j - m)` (`m` the largest `z_j`) of `count` logits
/// from `z`, in Double.
private func softmax(_ z: UnsafePointer<Float>, count: Int) -> [Double] {
    var m = -Double.infinity
    for i in 0..<count { m = max(m, Double(z[i])) }
    var e = (0..<count).map { exp(Double(z[$0]) - m) }
    let sum = e.reduce(0, +)
    for i in e.indices { e[i] /= sum }
    return e
}

/// The expected bin value `E = sum_i p_i * bins[i]` of each row of `logits` (`[N, bins.count]`),
/// `p = softmax(row)`: an expected-value head's prediction (docs/training.md "Losses").
public func expectedValues(_ logits: Tensor, bins: [Float]) -> [Float] {
    precondition(logits.count == logits.shape[0] * bins.count, "expected value of \(logits.shape) over \(bins.count) bins")
    return logits.values.withUnsafeBufferPointer { z in
        (0..<logits.shape[0]).map { n in
            let p = softmax(z.baseAddress! + n * bins.count, count: bins.count)
            return Float(zip(p, bins).reduce(0) { $0 + $1.0 * Double($1.1) })
        }
    }
}

/// Loss of an expected-value head (docs/training.md "Losses"): for each row of `logits`
/// (`[N, K]`, `K = bins.count`) whose target `y` (`targets` `[N, 1]`) is known, with
/// `p = softmax(z)`, `E = sum_i p_i b_i` and the Gaussian target `q_i ∝ exp(-(b_i - y)^2 / 2 sigma^2)`
/// (summing to 1), `-sum_i q_i log p_i + |E - y| / sigma`. Gradient
/// `(p_j - q_j + sign(E - y) p_j (b_j - E) / sigma) / known`.
public func binnedExpectationLoss(_ logits: Tensor, targets: Tensor, bins: [Float], sigma: Float) -> (loss: Float, gradient: Tensor) {
    let k = bins.count
    precondition(targets.count == logits.shape[0] && logits.count == targets.count * k,
                 "expected-value loss shapes \(logits.shape) vs \(targets.shape) over \(k) bins")
    let known = targets.values.reduce(0) { $0 + ($1.isNaN ? 0 : 1) }
    var gradient = Tensor(zeros: logits.shape)
    guard known > 0 else { return (0, gradient) }
    let s = Double(sigma), b = bins.map(Double.init)
    var sum = 0.0
    logits.values.withUnsafeBufferPointer { z in
        for n in 0..<targets.count where !targets.values[n].isNaN {
            let y = Double(targets.values[n])
            let p = softmax(z.baseAddress! + n * k, count: k)
            var q = b.map { exp(-($0 - y) * ($0 - y) / (2 * s * s)) }
            if !q.contains(where: { $0 > 0 }) {  // y is many sigmas from every bin: all on the nearest
                q[b.indices.min { abs(b[$0] - y) < abs(b[$1] - y) }!] = 1
            }
            let qSum = q.reduce(0, +)
            let e = zip(p, b).reduce(0) { $0 + $1.0 * $1.1 }
            let sign: Double = e > y ? 1 : e < y ? -1 : 0
            sum += abs(e - y) / s
            for i in 0..<k {
                q[i] /= qSum
                if q[i] > 0 { sum -= q[i] * log(max(p[i], .leastNonzeroMagnitude)) }
                gradient.values[n * k + i] = Float((p[i] - q[i] + sign * p[i] * (b[i] - e) / s) / Double(known))
            }
        }
    }
    return (Float(sum / Double(known)), gradient)
}

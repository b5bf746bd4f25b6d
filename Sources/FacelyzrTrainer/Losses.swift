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

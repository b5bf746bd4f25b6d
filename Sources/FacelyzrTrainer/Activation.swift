/// Activation fused into a convolution or dense layer; the runtime has the same three.
public enum Activation: String, Codable, Sendable {
    case none
    case relu
    /// `min(max(x, 0), 6)`.
    case relu6
}

/// Applies the activation in place (the ReLU / ReLU6 layer's forward).
func activationForward(_ values: inout [Float], _ activation: Activation) {
    switch activation {
    case .none: return
    case .relu, .relu6:
        let ceiling: Float = activation == .relu ? .infinity : 6
        values.withUnsafeMutableBufferPointer { v in
            let p = v.baseAddress!
            var i = 0
            // Selects instead of branches, so the loop vectorises.
            while i < v.count {
                let x = p[i]
                p[i] = x < 0 ? 0 : x > ceiling ? ceiling : x
                i += 1
            }
        }
    }
}

/// The gradient with respect to the activation's input, from the gradient with respect to its
/// output (the ReLU / ReLU6 layer's backward). `output` is what the forward produced: the gradient
/// passes where the output lies strictly inside the linear range. One pass into a new array
/// (no copy of `gradient` first); `.none` returns `gradient` itself.
func activationBackward(_ gradient: [Float], output: [Float], _ activation: Activation) -> [Float] {
    switch activation {
    case .none: return gradient
    case .relu, .relu6:
        let ceiling: Float = activation == .relu ? .infinity : 6
        return [Float](unsafeUninitializedCapacity: gradient.count) { d, initialized in
            gradient.withUnsafeBufferPointer { g in
                output.withUnsafeBufferPointer { y in
                    let (dp, gp, yp) = (d.baseAddress!, g.baseAddress!, y.baseAddress!)
                    var i = 0
                    // Both loads first and two selects rather than one `||` (a branch), so the
                    // loop vectorises.
                    while i < g.count {
                        let y = yp[i], gradient = gp[i], below = y <= 0 ? 0 : gradient
                        dp[i] = y >= ceiling ? 0 : below
                        i += 1
                    }
                }
            }
            initialized = gradient.count
        }
    }
}

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
            while i < v.count {
                if p[i] < 0 { p[i] = 0 } else if p[i] > ceiling { p[i] = ceiling }
                i += 1
            }
        }
    }
}

/// Turns the gradient with respect to the activation's output into the gradient with respect to
/// its input, in place (the ReLU / ReLU6 layer's backward). `output` is what the forward produced:
/// the gradient passes where the output lies strictly inside the linear range.
func activationBackward(_ gradient: inout [Float], output: [Float], _ activation: Activation) {
    switch activation {
    case .none: return
    case .relu, .relu6:
        let ceiling: Float = activation == .relu ? .infinity : 6
        gradient.withUnsafeMutableBufferPointer { g in
            output.withUnsafeBufferPointer { y in
                let (gp, yp) = (g.baseAddress!, y.baseAddress!)
                var i = 0
                while i < g.count {
                    if yp[i] <= 0 || yp[i] >= ceiling { gp[i] = 0 }
                    i += 1
                }
            }
        }
    }
}

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
    case .relu:
        values.withUnsafeMutableBufferPointer { v in
            for i in v.indices where v[i] < 0 { v[i] = 0 }
        }
    case .relu6:
        values.withUnsafeMutableBufferPointer { v in
            for i in v.indices { v[i] = min(max(v[i], 0), 6) }
        }
    }
}

/// Turns the gradient with respect to the activation's output into the gradient with respect to
/// its input, in place (the ReLU / ReLU6 layer's backward). `output` is what the forward produced:
/// the gradient passes where the output lies strictly inside the linear range.
func activationBackward(_ gradient: inout [Float], output: [Float], _ activation: Activation) {
    switch activation {
    case .none: return
    case .relu:
        gradient.withUnsafeMutableBufferPointer { g in
            output.withUnsafeBufferPointer { y in
                for i in g.indices where y[i] <= 0 { g[i] = 0 }
            }
        }
    case .relu6:
        gradient.withUnsafeMutableBufferPointer { g in
            output.withUnsafeBufferPointer { y in
                for i in g.indices where y[i] <= 0 || y[i] >= 6 { g[i] = 0 }
            }
        }
    }
}

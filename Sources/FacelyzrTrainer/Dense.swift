/// Dense (fully connected) forward: `output[n, o] = act(bias[o] + sum_i weight[o, i] * input[n, i])`,
/// weights `[out, in]` as the runtime stores them. Any input shape is flattened per batch item.
public func denseForward(_ input: Tensor, weight: Tensor, bias: Tensor, activation: Activation) -> Tensor {
    let (outCount, inCount) = (weight.shape[0], weight.shape[1])
    precondition(input.itemCount == inCount && bias.shape == [outCount], "dense input \(input.shape) vs weight \(weight.shape)")
    var output = Tensor(uninitialized: [input.batch, outCount])
    input.values.withUnsafeBufferPointer { x in
        weight.values.withUnsafeBufferPointer { w in
            output.values.withUnsafeMutableBufferPointer { y in
                fillRows(y.baseAddress!, rows: input.batch, with: bias.values)
                matrixMultiply(x.baseAddress!, transposeA: false, w.baseAddress!, transposeB: true,
                               into: y.baseAddress!, m: input.batch, n: outCount, k: inCount, beta: 1)
            }
        }
    }
    activationForward(&output.values, activation)
    return output
}

/// Dense backward: adds the weight and bias gradients; returns the input gradient (shaped like
/// `input`) when `needsInputGradient`.
public func denseBackward(
    _ outputGradient: Tensor, output: Tensor, input: Tensor, weight: Tensor, activation: Activation,
    weightGradient: inout Tensor, biasGradient: inout Tensor, needsInputGradient: Bool
) -> Tensor? {
    let (outCount, inCount) = (weight.shape[0], weight.shape[1])
    let batch = input.batch
    let delta = activationBackward(outputGradient.values, output: output.values, activation)
    delta.withUnsafeBufferPointer { d in
        input.values.withUnsafeBufferPointer { x in
            weightGradient.values.withUnsafeMutableBufferPointer { dw in
                matrixMultiply(d.baseAddress!, transposeA: true, x.baseAddress!, transposeB: false,
                               into: dw.baseAddress!, m: outCount, n: inCount, k: batch, beta: 1)
            }
        }
        sumRows(d.baseAddress!, rows: batch, into: &biasGradient.values)
    }
    guard needsInputGradient else { return nil }
    var inputGradient = Tensor(uninitialized: input.shape)
    delta.withUnsafeBufferPointer { d in
        weight.values.withUnsafeBufferPointer { w in
            inputGradient.values.withUnsafeMutableBufferPointer { dx in
                matrixMultiply(d.baseAddress!, transposeA: false, w.baseAddress!, transposeB: false,
                               into: dx.baseAddress!, m: batch, n: inCount, k: outCount)
            }
        }
    }
    return inputGradient
}

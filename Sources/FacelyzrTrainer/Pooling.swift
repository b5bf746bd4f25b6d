// 2x2 stride-2 pools (TensorFlow "valid": out = floor(in / 2)), their unpooling and upsampling
// counterparts for decoders, and global average pooling. All on NHWC tensors.

private func pooledShape(_ shape: [Int]) -> [Int] {
    precondition(shape.count == 4, "pooling needs an NHWC tensor")
    return [shape[0], shape[1] / 2, shape[2] / 2, shape[3]]
}

/// Max pool forward. `switches[i]` is the flat index in `input` of the maximum that
/// became `output.values[i]` (the first one on ties), which backward and unpooling use.
public func maxPool2x2Forward(_ input: Tensor, switches: inout [Int]) -> Tensor {
    let (n, h, w, c) = (input.shape[0], input.shape[1], input.shape[2], input.shape[3])
    var output = Tensor(zeros: pooledShape(input.shape))
    let (oh, ow) = (output.shape[1], output.shape[2])
    if switches.count != output.count { switches = [Int](repeating: 0, count: output.count) }
    input.values.withUnsafeBufferPointer { x in
        output.values.withUnsafeMutableBufferPointer { y in
            switches.withUnsafeMutableBufferPointer { s in
                var o = 0
                for b in 0..<n {
                    for oy in 0..<oh {
                        for ox in 0..<ow {
                            let corner = ((b * h + 2 * oy) * w + 2 * ox) * c
                            for ch in 0..<c {
                                var best = corner + ch
                                for (dy, dx) in [(0, 1), (1, 0), (1, 1)] {
                                    let i = corner + (dy * w + dx) * c + ch
                                    if x[i] > x[best] { best = i }
                                }
                                y[o] = x[best]
                                s[o] = best
                                o += 1
                            }
                        }
                    }
                }
            }
        }
    }
    return output
}

/// Max pool backward: each output gradient goes to the input position its switch names.
public func maxPool2x2Backward(_ outputGradient: Tensor, switches: [Int], inputShape: [Int]) -> Tensor {
    var inputGradient = Tensor(zeros: inputShape)
    inputGradient.values.withUnsafeMutableBufferPointer { dx in
        outputGradient.values.withUnsafeBufferPointer { dy in
            for i in dy.indices { dx[switches[i]] += dy[i] }
        }
    }
    return inputGradient
}

/// Max unpooling forward (a decoder's inverse of a max pool): puts each value back at the
/// position its switch names, zeros elsewhere. `outputShape` is the pool's input shape.
public func maxUnpool2x2Forward(_ input: Tensor, switches: [Int], outputShape: [Int]) -> Tensor {
    maxPool2x2Backward(input, switches: switches, inputShape: outputShape)
}

/// Max unpooling backward: gathers the gradient at the switch positions.
public func maxUnpool2x2Backward(_ outputGradient: Tensor, switches: [Int], inputShape: [Int]) -> Tensor {
    var inputGradient = Tensor(zeros: inputShape)
    for i in inputGradient.values.indices { inputGradient.values[i] = outputGradient.values[switches[i]] }
    return inputGradient
}

/// Average pool forward: the mean of each 2x2 window.
public func averagePool2x2Forward(_ input: Tensor) -> Tensor {
    let (n, h, w, c) = (input.shape[0], input.shape[1], input.shape[2], input.shape[3])
    var output = Tensor(zeros: pooledShape(input.shape))
    let (oh, ow) = (output.shape[1], output.shape[2])
    input.values.withUnsafeBufferPointer { x in
        output.values.withUnsafeMutableBufferPointer { y in
            var o = 0
            for b in 0..<n {
                for oy in 0..<oh {
                    for ox in 0..<ow {
                        let corner = ((b * h + 2 * oy) * w + 2 * ox) * c
                        for ch in 0..<c {
                            let i = corner + ch
                            y[o] = (x[i] + x[i + c] + x[i + w * c] + x[i + w * c + c]) * 0.25
                            o += 1
                        }
                    }
                }
            }
        }
    }
    return output
}

/// Average pool backward: a quarter of each output gradient to each tap of its window.
public func averagePool2x2Backward(_ outputGradient: Tensor, inputShape: [Int]) -> Tensor {
    let (n, h, w, c) = (inputShape[0], inputShape[1], inputShape[2], inputShape[3])
    let (oh, ow) = (h / 2, w / 2)
    var inputGradient = Tensor(zeros: inputShape)
    inputGradient.values.withUnsafeMutableBufferPointer { dx in
        outputGradient.values.withUnsafeBufferPointer { dy in
            var o = 0
            for b in 0..<n {
                for oy in 0..<oh {
                    for ox in 0..<ow {
                        let corner = ((b * h + 2 * oy) * w + 2 * ox) * c
                        for ch in 0..<c {
                            let i = corner + ch, g = dy[o] * 0.25
                            dx[i] += g; dx[i + c] += g; dx[i + w * c] += g; dx[i + w * c + c] += g
                            o += 1
                        }
                    }
                }
            }
        }
    }
    return inputGradient
}

/// Nearest-neighbour 2x upsampling forward (a decoder's inverse of a stride-2 convolution or an
/// average pool): each value fills a 2x2 block. The output may be one row or column smaller than
/// twice the input (undoing a "same" stride-2 convolution of an odd size) or larger by one (undoing
/// a pool that dropped the last row or column, which repeats the last input row or column).
public func upsample2xForward(_ input: Tensor, outputShape: [Int]) -> Tensor {
    let (h, w, c) = (outputShape[1], outputShape[2], outputShape[3])
    let (ih, iw) = (input.shape[1], input.shape[2])
    precondition(outputShape[0] == input.shape[0] && ((h + 1) / 2 == ih || h / 2 == ih)
                 && ((w + 1) / 2 == iw || w / 2 == iw) && c == input.shape[3], "upsample shapes")
    var output = Tensor(zeros: outputShape)
    for b in 0..<outputShape[0] {
        for y in 0..<h {
            for x in 0..<w {
                let src = ((b * ih + min(y / 2, ih - 1)) * iw + min(x / 2, iw - 1)) * c, dst = ((b * h + y) * w + x) * c
                for ch in 0..<c { output.values[dst + ch] = input.values[src + ch] }
            }
        }
    }
    return output
}

/// Nearest-neighbour upsampling backward: sums the gradient of each 2x2 block.
public func upsample2xBackward(_ outputGradient: Tensor, inputShape: [Int]) -> Tensor {
    let (h, w, c) = (outputGradient.shape[1], outputGradient.shape[2], outputGradient.shape[3])
    let (ih, iw) = (inputShape[1], inputShape[2])
    var inputGradient = Tensor(zeros: inputShape)
    for b in 0..<inputShape[0] {
        for y in 0..<h {
            for x in 0..<w {
                let dst = ((b * ih + min(y / 2, ih - 1)) * iw + min(x / 2, iw - 1)) * c, src = ((b * h + y) * w + x) * c
                for ch in 0..<c { inputGradient.values[dst + ch] += outputGradient.values[src + ch] }
            }
        }
    }
    return inputGradient
}

/// Global average pool forward: `[N, H, W, C]` to `[N, C]`.
public func globalAveragePoolForward(_ input: Tensor) -> Tensor {
    let (n, h, w, c) = (input.shape[0], input.shape[1], input.shape[2], input.shape[3])
    var output = Tensor(zeros: [n, c])
    let scale = 1 / Float(h * w)
    for b in 0..<n {
        for p in 0..<(h * w) {
            for ch in 0..<c { output.values[b * c + ch] += input.values[(b * h * w + p) * c + ch] }
        }
        for ch in 0..<c { output.values[b * c + ch] *= scale }
    }
    return output
}

/// Global average pool backward: each position receives `1 / (H * W)` of its channel's gradient.
public func globalAveragePoolBackward(_ outputGradient: Tensor, inputShape: [Int]) -> Tensor {
    let (n, h, w, c) = (inputShape[0], inputShape[1], inputShape[2], inputShape[3])
    var inputGradient = Tensor(zeros: inputShape)
    let scale = 1 / Float(h * w)
    for b in 0..<n {
        for p in 0..<(h * w) {
            for ch in 0..<c { inputGradient.values[(b * h * w + p) * c + ch] = outputGradient.values[b * c + ch] * scale }
        }
    }
    return inputGradient
}

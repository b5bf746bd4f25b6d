import CBLAS

// 2x2 stride-2 pools (TensorFlow "valid": out = floor(in / 2)), their unpooling and upsampling
// counterparts for decoders, and global average pooling. All on NHWC tensors. The loops are
// `while` loops over pointers so that debug builds (the tests) run them fast too.

private func pooledShape(_ shape: [Int]) -> [Int] {
    precondition(shape.count == 4, "pooling needs an NHWC tensor")
    return [shape[0], shape[1] / 2, shape[2] / 2, shape[3]]
}

/// Calls `body(o, i0, i1, i2, i3, count)` for each run of `count` outputs of a 2x2 stride-2 pool
/// over an NHWC tensor of `shape` that share one window position (the `C` channels of one output
/// pixel, in output order from `o`): `i0...i3` are the flat input indices of the window's
/// top-left, top-right, bottom-left and bottom-right taps of the run's first channel. The body
/// loops over the `count` channels itself, so that loop vectorises.
@inline(__always)
private func forEachWindowRun(_ shape: [Int], _ body: (Int, Int, Int, Int, Int, Int) -> Void) {
    let (n, h, w, c) = (shape[0], shape[1], shape[2], shape[3])
    let (oh, ow) = (h / 2, w / 2)
    var o = 0, b = 0
    while b < n {
        var oy = 0
        while oy < oh {
            var ox = 0
            while ox < ow {
                let corner = ((b * h + 2 * oy) * w + 2 * ox) * c
                body(o, corner, corner + c, corner + w * c, corner + w * c + c, c)
                o += c
                ox += 1
            }
            oy += 1
        }
        b += 1
    }
}

/// Max pool forward. `switches[i]` is the flat index in `input` of the maximum that
/// became `output.values[i]` (the first one on ties, in the order top-left, top-right,
/// bottom-left, bottom-right), which backward and unpooling use.
public func maxPool2x2Forward(_ input: Tensor, switches: inout [Int]) -> Tensor {
    var output = Tensor(uninitialized: pooledShape(input.shape))
    if switches.count != output.count { switches = [Int](repeating: 0, count: output.count) }
    input.values.withUnsafeBufferPointer { xb in
        output.values.withUnsafeMutableBufferPointer { yb in
            switches.withUnsafeMutableBufferPointer { sb in
                let (x, y, s) = (xb.baseAddress!, yb.baseAddress!, sb.baseAddress!)
                forEachWindowRun(input.shape) { o, i0, i1, i2, i3, count in
                    let (x0, x1, x2, x3, yo, so) = (x + i0, x + i1, x + i2, x + i3, y + o, s + o)
                    var ch = 0
                    // Selects, not branches, and wrapping index arithmetic (no overflow traps),
                    // so the channel loop vectorises; a later tap wins only when strictly
                    // greater, as in a scan in tap order.
                    while ch < count {
                        var best = x0[ch], at = i0
                        let v1 = x1[ch], t1 = v1 > best
                        best = t1 ? v1 : best; at = t1 ? i1 : at
                        let v2 = x2[ch], t2 = v2 > best
                        best = t2 ? v2 : best; at = t2 ? i2 : at
                        let v3 = x3[ch], t3 = v3 > best
                        best = t3 ? v3 : best; at = t3 ? i3 : at
                        yo[ch] = best
                        so[ch] = at &+ ch
                        ch &+= 1
                    }
                }
            }
        }
    }
    return output
}

/// Max pool backward: each output gradient goes to the input position its switch names, zeros
/// elsewhere. `switches` must come from a 2x2 pool of an input of `inputShape`: each window's
/// four taps are written once (no zero fill and scatter), and only an odd last row or column,
/// which no window covers, is zero-filled.
public func maxPool2x2Backward(_ outputGradient: Tensor, switches: [Int], inputShape: [Int]) -> Tensor {
    let covered = inputShape[1] % 2 == 0 && inputShape[2] % 2 == 0
    var inputGradient = covered ? Tensor(uninitialized: inputShape) : Tensor(zeros: inputShape)
    inputGradient.values.withUnsafeMutableBufferPointer { dxb in
        outputGradient.values.withUnsafeBufferPointer { dyb in
            switches.withUnsafeBufferPointer { sb in
                let (dx, dy, s) = (dxb.baseAddress!, dyb.baseAddress!, sb.baseAddress!)
                forEachWindowRun(inputShape) { o, i0, i1, i2, i3, count in
                    let (d0, d1, d2, d3, dyo, so) = (dx + i0, dx + i1, dx + i2, dx + i3, dy + o, s + o)
                    // The switch's offset from the top-left tap, as a 32-bit number (a window
                    // spans less than 2^31 values); four channels at a time in SIMD vectors (the
                    // compiler does not vectorise four store streams by itself), then the rest.
                    let (c1, c2, c3) = (Int32(i1 - i0), Int32(i2 - i0), Int32(i3 - i0))
                    var ch = 0
                    while ch &+ 4 <= count {
                        let at = SIMD4<Int32>(truncatingIfNeeded: SIMD4<Int>(so[ch], so[ch &+ 1], so[ch &+ 2], so[ch &+ 3])
                                              &- SIMD4<Int>(ch &+ i0, ch &+ 1 &+ i0, ch &+ 2 &+ i0, ch &+ 3 &+ i0))
                        // `0 + g`, as the sum onto a zero it replaces gives (-0 becomes +0).
                        let g = 0 + SIMD4<Float>(dyo[ch], dyo[ch &+ 1], dyo[ch &+ 2], dyo[ch &+ 3]), zero = SIMD4<Float>()
                        let (v0, v1) = (zero.replacing(with: g, where: at .== 0), zero.replacing(with: g, where: at .== c1))
                        let (v2, v3) = (zero.replacing(with: g, where: at .== c2), zero.replacing(with: g, where: at .== c3))
                        UnsafeMutableRawPointer(d0 + ch).storeBytes(of: v0, as: SIMD4<Float>.self)
                        UnsafeMutableRawPointer(d1 + ch).storeBytes(of: v1, as: SIMD4<Float>.self)
                        UnsafeMutableRawPointer(d2 + ch).storeBytes(of: v2, as: SIMD4<Float>.self)
                        UnsafeMutableRawPointer(d3 + ch).storeBytes(of: v3, as: SIMD4<Float>.self)
                        ch &+= 4
                    }
                    while ch < count {
                        let at = Int32(truncatingIfNeeded: so[ch] &- ch &- i0), g = 0 + dyo[ch]
                        d0[ch] = at == 0 ? g : 0
                        d1[ch] = at == c1 ? g : 0
                        d2[ch] = at == c2 ? g : 0
                        d3[ch] = at == c3 ? g : 0
                        ch &+= 1
                    }
                }
            }
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
    inputGradient.values.withUnsafeMutableBufferPointer { dxb in
        outputGradient.values.withUnsafeBufferPointer { dyb in
            switches.withUnsafeBufferPointer { sb in
                var i = 0
                while i < dxb.count {
                    dxb[i] = dyb[sb[i]]
                    i += 1
                }
            }
        }
    }
    return inputGradient
}

/// Average pool forward: the mean of each 2x2 window.
public func averagePool2x2Forward(_ input: Tensor) -> Tensor {
    var output = Tensor(zeros: pooledShape(input.shape))
    input.values.withUnsafeBufferPointer { xb in
        output.values.withUnsafeMutableBufferPointer { yb in
            let (x, y) = (xb.baseAddress!, yb.baseAddress!)
            forEachWindowRun(input.shape) { o, i0, i1, i2, i3, count in
                var ch = 0
                while ch < count {
                    y[o + ch] = (x[i0 + ch] + x[i1 + ch] + x[i2 + ch] + x[i3 + ch]) * 0.25
                    ch += 1
                }
            }
        }
    }
    return output
}

/// Average pool backward: a quarter of each output gradient to each tap of its window.
public func averagePool2x2Backward(_ outputGradient: Tensor, inputShape: [Int]) -> Tensor {
    var inputGradient = Tensor(zeros: inputShape)
    inputGradient.values.withUnsafeMutableBufferPointer { dxb in
        outputGradient.values.withUnsafeBufferPointer { dyb in
            let (dx, dy) = (dxb.baseAddress!, dyb.baseAddress!)
            forEachWindowRun(inputShape) { o, i0, i1, i2, i3, count in
                var ch = 0
                while ch < count {
                    let g = dy[o + ch] * 0.25
                    dx[i0 + ch] += g; dx[i1 + ch] += g; dx[i2 + ch] += g; dx[i3 + ch] += g
                    ch += 1
                }
            }
        }
    }
    return inputGradient
}

/// Calls `body(largeIndex, smallIndex)` for every element of an NHWC tensor of `largeShape`,
/// with the index of the element of the half-size tensor of `smallShape` that covers it
/// (row `y / 2`, column `x / 2`, clamped to the last row and column).
@inline(__always)
private func forEachUpsampledElement(_ largeShape: [Int], _ smallShape: [Int], _ body: (Int, Int) -> Void) {
    let (n, h, w, c) = (largeShape[0], largeShape[1], largeShape[2], largeShape[3])
    let (ih, iw) = (smallShape[1], smallShape[2])
    precondition(smallShape[0] == n && ((h + 1) / 2 == ih || h / 2 == ih) && ((w + 1) / 2 == iw || w / 2 == iw)
                 && smallShape[3] == c, "upsample shapes \(smallShape) to \(largeShape)")
    var b = 0, large = 0
    while b < n {
        var y = 0
        while y < h {
            var x = 0
            while x < w {
                let small = ((b * ih + min(y / 2, ih - 1)) * iw + min(x / 2, iw - 1)) * c
                var ch = 0
                while ch < c {
                    body(large, small + ch)
                    large += 1
                    ch += 1
                }
                x += 1
            }
            y += 1
        }
        b += 1
    }
}

/// Nearest-neighbour 2x upsampling forward (a decoder's inverse of a stride-2 convolution or an
/// average pool): each value fills a 2x2 block. The output may be one row or column smaller than
/// twice the input (undoing a "same" stride-2 convolution of an odd size) or larger by one (undoing
/// a pool that dropped the last row or column, which repeats the last input row or column).
public func upsample2xForward(_ input: Tensor, outputShape: [Int]) -> Tensor {
    var output = Tensor(zeros: outputShape)
    input.values.withUnsafeBufferPointer { xb in
        output.values.withUnsafeMutableBufferPointer { yb in
            let (x, y) = (xb.baseAddress!, yb.baseAddress!)
            forEachUpsampledElement(outputShape, input.shape) { large, small in y[large] = x[small] }
        }
    }
    return output
}

/// Nearest-neighbour upsampling backward: sums the gradient of each 2x2 block.
public func upsample2xBackward(_ outputGradient: Tensor, inputShape: [Int]) -> Tensor {
    var inputGradient = Tensor(zeros: inputShape)
    outputGradient.values.withUnsafeBufferPointer { dyb in
        inputGradient.values.withUnsafeMutableBufferPointer { dxb in
            let (dy, dx) = (dyb.baseAddress!, dxb.baseAddress!)
            forEachUpsampledElement(outputGradient.shape, inputShape) { large, small in dx[small] += dy[large] }
        }
    }
    return inputGradient
}

/// Global average pool forward: `[N, H, W, C]` to `[N, C]`.
public func globalAveragePoolForward(_ input: Tensor) -> Tensor {
    let (n, h, w, c) = (input.shape[0], input.shape[1], input.shape[2], input.shape[3])
    var output = Tensor(zeros: [n, c])
    let scale = 1 / Float(h * w)
    input.values.withUnsafeBufferPointer { xb in
        output.values.withUnsafeMutableBufferPointer { yb in
            var b = 0
            while b < n {
                // Sum the H*W rows of C values of image b: a `[H*W, C]ᵀ · 1` product.
                let ones = [Float](repeating: scale, count: h * w)
                cblas_sgemv(CblasRowMajor, CblasTrans, Int32(h * w), Int32(c), 1, xb.baseAddress! + b * h * w * c, Int32(c),
                            ones, 1, 0, yb.baseAddress! + b * c, 1)
                b += 1
            }
        }
    }
    return output
}

/// Global average pool backward: each position receives `1 / (H * W)` of its channel's gradient.
public func globalAveragePoolBackward(_ outputGradient: Tensor, inputShape: [Int]) -> Tensor {
    let (n, h, w, c) = (inputShape[0], inputShape[1], inputShape[2], inputShape[3])
    var inputGradient = Tensor(zeros: inputShape)
    let scale = 1 / Float(h * w)
    let scaled = outputGradient.values.map { $0 * scale }
    inputGradient.values.withUnsafeMutableBufferPointer { dxb in
        scaled.withUnsafeBufferPointer { gb in
            var b = 0
            while b < n {
                fillRows(dxb.baseAddress! + b * h * w * c, rows: h * w, pointer: gb.baseAddress! + b * c, count: c)
                b += 1
            }
        }
    }
    return inputGradient
}

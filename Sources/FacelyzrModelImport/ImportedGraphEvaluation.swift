import FacelyzrTrainer
import Foundation

extension ImportedGraph {
    /// Every node's float output for one image: `input` is the model's own input (after its
    /// preprocessing, in its channel order), `[H, W, C]` row-major; each output is `[H, W, C]`
    /// row-major as `outputShape` says. Plain loops that follow ONNX's definitions (max pools
    /// ignore padded cells; average pools divide by the cells inside the image, or inside the
    /// padded image with `countIncludePad`), for checking an import against ONNX Runtime and for
    /// calibrating the ops the quantizer does not take yet.
    public func forward(_ input: [Float]) -> [[Float]] {
        precondition(input.count == self.input.shape.reduce(1, *), "input size does not match the graph's input")
        var outputs: [[Float]] = []
        for node in nodes {
            let sources = node.inputs.map { $0.map { (outputs[$0], nodes[$0].outputShape) } ?? (input, self.input.shape) }
            let (x, shape) = sources[0]
            let (h, w, c) = (shape[0], shape[1], shape[2])
            let (oh, ow, oc) = (node.outputShape[0], node.outputShape[1], node.outputShape[2])
            var y = [Float](repeating: 0, count: oh * ow * oc)
            switch node.op {
            case .conv(let g):
                let weight = node.weight!.values, bias = node.bias!.values
                let perGroupIn = c / g.group, perGroupOut = oc / g.group
                for oy in 0..<oh {
                    for ox in 0..<ow {
                        for o in 0..<oc {
                            var sum = bias[o]
                            let firstIn = (o / perGroupOut) * perGroupIn
                            for r in 0..<g.kernelHeight {
                                let iy = oy * g.strideHeight - g.pads[0] + r
                                guard iy >= 0 && iy < h else { continue }
                                for s in 0..<g.kernelWidth {
                                    let ix = ox * g.strideWidth - g.pads[1] + s
                                    guard ix >= 0 && ix < w else { continue }
                                    for i in 0..<perGroupIn {
                                        sum += x[(iy * w + ix) * c + firstIn + i] * weight[((o * g.kernelHeight + r) * g.kernelWidth + s) * perGroupIn + i]
                                    }
                                }
                            }
                            y[(oy * ow + ox) * oc + o] = sum
                        }
                    }
                }
            case .maxPool(let p), .averagePool(let p, _):
                var countIncludePad = false
                var isMax = true
                if case .averagePool(_, let include) = node.op { countIncludePad = include; isMax = false }
                for oy in 0..<oh {
                    for ox in 0..<ow {
                        let top = oy * p.strideHeight - p.pads[0], left = ox * p.strideWidth - p.pads[1]
                        for ch in 0..<c {
                            var value: Float = isMax ? -.infinity : 0
                            var cells = 0, paddedCells = 0
                            for r in 0..<p.kernelHeight {
                                for s in 0..<p.kernelWidth {
                                    let iy = top + r, ix = left + s
                                    if iy < h + p.pads[2] && ix < w + p.pads[3] { paddedCells += 1 }
                                    guard iy >= 0 && iy < h && ix >= 0 && ix < w else { continue }
                                    let v = x[(iy * w + ix) * c + ch]
                                    value = isMax ? max(value, v) : value + v
                                    cells += 1
                                }
                            }
                            y[(oy * ow + ox) * oc + ch] = isMax ? value : value / Float(countIncludePad ? paddedCells : cells)
                        }
                    }
                }
            case .globalAveragePool:
                for i in 0..<(h * w) { for ch in 0..<c { y[ch] += x[i * c + ch] } }
                for ch in 0..<c { y[ch] /= Float(h * w) }
            case .dense:
                let weight = node.weight!.values, bias = node.bias!.values, n = x.count
                for o in 0..<oc {
                    var sum = bias[o]
                    for i in 0..<n { sum += weight[o * n + i] * x[i] }
                    y[o] = sum
                }
            case .add:
                let other = sources[1].0
                for i in y.indices { y[i] = x[i] + other[i] }
            case .affine:
                let scale = node.weight!.values, offset = node.bias!.values
                for i in y.indices { y[i] = x[i] * scale[i % c] + offset[i % c] }
            case .pad(let pads, let value):
                for i in y.indices { y[i] = value }
                for iy in 0..<h {
                    for ix in 0..<w {
                        for ch in 0..<c { y[((iy + pads[0]) * ow + ix + pads[1]) * oc + ch + pads[2]] = x[(iy * w + ix) * c + ch] }
                    }
                }
            case .prelu:
                let slope = node.weight!.values
                for i in y.indices { y[i] = x[i] < 0 ? x[i] * slope[slope.count == 1 ? 0 : i % c] : x[i] }
            case .leakyRelu(let alpha):
                for i in y.indices { y[i] = x[i] < 0 ? x[i] * alpha : x[i] }
            case .relu:
                for i in y.indices { y[i] = max(x[i], 0) }
            case .sigmoid:
                for i in y.indices { y[i] = 1 / (1 + exp(-x[i])) }
            case .softmax:
                let largest = x.max()!
                var sum: Float = 0
                for i in y.indices { y[i] = exp(x[i] - largest); sum += y[i] }
                for i in y.indices { y[i] /= sum }
            }
            switch node.activation {
            case .none: break
            case .relu: for i in y.indices { y[i] = max(y[i], 0) }
            case .relu6: for i in y.indices { y[i] = min(max(y[i], 0), 6) }
            }
            outputs.append(y)
        }
        return outputs
    }
}

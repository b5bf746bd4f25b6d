import FacelyzrTrainer

extension ImportedGraph {
    /// The nodes with every depthwise-then-pointwise pair equalised (cross-layer equalisation,
    /// docs/model-import.md "Equalising depthwise and pointwise convolutions"), and the names of
    /// the depthwise convolutions equalised. A pair is a depthwise convolution without activation
    /// whose only reader is a 1x1 convolution (group 1, stride 1, no padding) reading it alone:
    /// output channel `c` of the depthwise one times `1 / s[c]` (weights and bias) and input
    /// channel `c` of the pointwise one times `s[c]` compute the same function, exactly in real
    /// numbers. `s[c] = sqrt(r1[c] / r2[c])`, with `r1[c]` the largest |weight| of the depthwise
    /// filter `c` and `r2[c]` that of the pointwise weights on input channel `c`, makes both
    /// `sqrt(r1[c] * r2[c])`: a channel whose filter is far larger than the others (BlazeFace's
    /// last depthwise convolution has one 7 times the median, and its int8 output one per-tensor
    /// scale for all channels) no longer sets the whole tensor's range alone.
    public func depthwiseEqualized() -> (nodes: [Node], equalized: [String]) {
        var nodes = self.nodes, equalized: [String] = []
        for (i, node) in nodes.enumerated() {
            guard case .conv(let d) = node.op, d.group > 1, d.group == node.outputShape[2], node.activation == .none,
                  var w1 = node.weight, w1.shape.count == 4, w1.shape[0] == d.group, w1.shape[3] == 1 else { continue }
            let readers = nodes.indices.filter { nodes[$0].inputs.contains(i) } + outputs.map(\.node).filter { $0 == i }
            guard readers.count == 1, let j = readers.first, case .conv(let p) = nodes[j].op, nodes[j].inputs == [i], p.group == 1,
                  p.kernelHeight == 1, p.kernelWidth == 1, p.strideHeight == 1, p.strideWidth == 1, p.pads.allSatisfy({ $0 == 0 }),
                  var w2 = nodes[j].weight, w2.shape.count == 4, w2.shape[3] == d.group else { continue }
            let channels = d.group, taps = w1.count / channels, outputs = w2.shape[0]
            var b1 = node.bias
            for c in 0..<channels {
                let r1 = (0..<taps).map { abs(w1.values[c * taps + $0]) }.max()!
                let r2 = (0..<outputs).map { abs(w2.values[$0 * channels + c]) }.max()!
                guard r1 > 0, r2 > 0 else { continue }
                let s = (r1 / r2).squareRoot()
                for t in 0..<taps { w1.values[c * taps + t] /= s }
                b1?.values[c] /= s
                for o in 0..<outputs { w2.values[o * channels + c] *= s }
            }
            nodes[i].weight = w1
            nodes[i].bias = b1
            nodes[j].weight = w2
            equalized.append(node.name)
        }
        return (nodes, equalized)
    }
}

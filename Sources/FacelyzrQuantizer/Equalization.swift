import FacelyzrTrainer

/// Cross-layer equalisation (Nagel et al., "Data-Free Quantization Through Weight Equalization
/// and Bias Correction", 2019), fitted to per-channel int8 weights and per-tensor int8
/// activations (docs/quantization.md "Cross-layer equalisation"): output channel `c` of a
/// convolution, depthwise convolution or dense layer `first` (with ReLU or no activation) is
/// divided by `s_c` and the weights that read channel `c` in the next weighted layer `second` are
/// multiplied by `s_c`. Exact in float: positive scales pass through ReLU, pools and zero padding
/// unchanged.
extension FloatGraph {
    /// A layer whose output channels can be rescaled into the layer that reads them.
    public struct EqualizationPair: Sendable, Equatable {
        /// The convolution, depthwise convolution or dense layer whose output channels are rescaled.
        public var first: Int
        /// The convolution, dense layer or head that reads them, through pools and pads only.
        public var second: Int
        /// Channel `c` of `first` is channel `c + channelOffset` of `second`'s input (a channel pad between them).
        public var channelOffset: Int
    }

    /// Every pair cross-layer equalisation may rescale: `first` a convolution (group 1), depthwise
    /// convolution or dense layer with ReLU, or with no activation and not reading the model input
    /// (never a clipping activation), whose output reaches only `second`, through a chain of nodes
    /// each read once (max, average and global average pools, zero pads); `second` a convolution
    /// (group 1), dense layer or head output. Nodes on an add's path are never paired: the add's
    /// other operand would need the same scales.
    public var equalizationPairs: [EqualizationPair] {
        var readers = [[Int]](repeating: [], count: nodes.count)
        for (i, node) in nodes.enumerated() {
            for input in [node.input, node.secondInput].compactMap({ $0 }) { readers[input].append(i) }
        }
        var pairs: [EqualizationPair] = []
        for (a, node) in nodes.enumerated() {
            switch node.kind {
            case .conv2D, .depthwiseConv2D, .dense: break
            default: continue
            }
            // Without activation, not a layer of the model input: that is an imported graph's
            // input mean channel, an exact copy of the pixels (docs/model-import.md "Input normalisation").
            guard node.activation == .relu || (node.activation == .none && node.input != nil) else { continue }
            var current = a, offset = 0
            walk: while readers[current].count == 1 {
                let r = readers[current][0]
                guard nodes[r].secondInput == nil else { break }
                switch nodes[r].kind {
                case .maxPool, .averagePool, .globalAveragePool:
                    current = r
                case .pad(_, _, let channelsBefore):
                    offset += channelsBefore
                    current = r
                case .conv2D, .dense, .headOutput:
                    pairs.append(EqualizationPair(first: a, second: r, channelOffset: offset))
                    break walk
                default:
                    break walk
                }
            }
        }
        return pairs
    }

    /// Per output channel of each pair's `first`, the largest |value| on `images` (8-bit pixels,
    /// `inputShape` each), in batches of `batchSize`.
    public func channelMaxima(of pairs: [EqualizationPair], images: [[UInt8]], batchSize: Int = 32) -> [Int: [Float]] {
        var maxima = [Int: [Float]]()
        for start in stride(from: 0, to: images.count, by: max(1, batchSize)) {
            let batch = images[start..<min(start + max(1, batchSize), images.count)]
            let outputs = forward(normalize(Array(batch.joined()), count: batch.count))
            for pair in pairs {
                let t = outputs[pair.first], c = t.shape[3]
                var m = maxima[pair.first] ?? [Float](repeating: 0, count: c)
                for (j, v) in t.values.enumerated() { m[j % c] = max(m[j % c], v.magnitude) }
                maxima[pair.first] = m
            }
        }
        return maxima
    }

    /// The scales `s_c` of `pair`'s channels: `sqrt(a_c / r_c)`, with `a_c` the channel's
    /// activation range (`maxima`) and `r_c` the largest |weight| of `second` that reads the
    /// channel, each weight taken relative to the largest |weight| of its output channel (the
    /// per-channel int8 step it is rounded to). After rescaling, both are `sqrt(a_c r_c)`. A
    /// channel that is always 0 or read by zero weights keeps `s_c = 1`.
    public func equalizationScales(_ pair: EqualizationPair, maxima: [Float]) -> [Float] {
        let w = nodes[pair.second].weight!
        let rows = w.shape[0], per = w.count / rows, inputChannels = channelsRead(by: pair.second)
        var ranges = [Float](repeating: 0, count: maxima.count)
        w.values.withUnsafeBufferPointer { v in
            for o in 0..<rows {
                let row = v[(o * per)..<((o + 1) * per)]
                let largest = row.reduce(Float(0)) { max($0, $1.magnitude) }
                guard largest > 0 else { continue }
                for j in 0..<per {
                    let c = j % inputChannels - pair.channelOffset
                    guard c >= 0 && c < maxima.count else { continue }
                    ranges[c] = max(ranges[c], v[o * per + j].magnitude / largest)
                }
            }
        }
        return zip(maxima, ranges).map { a, r in a > 0 && r > 0 ? (a / r).squareRoot() : 1 }
    }

    /// The graph with every pair of `pairs` equalised with `scales` (one per output channel of
    /// `first`): `first`'s weights and bias of channel `c` divided by `s_c`, `second`'s weights
    /// that read channel `c` multiplied by it. The same function of the input as `self`, up to
    /// float rounding.
    public func equalized(_ pairs: [EqualizationPair], scales: [[Float]]) -> FloatGraph {
        var graph = self
        for (pair, s) in zip(pairs, scales) {
            var first = graph.nodes[pair.first], second = graph.nodes[pair.second]
            let rows = first.weight!.shape[0], per = first.weight!.count / rows
            for c in 0..<rows {
                for j in 0..<per { first.weight!.values[c * per + j] /= s[c] }
                first.bias!.values[c] /= s[c]
            }
            let secondRows = second.weight!.shape[0], secondPer = second.weight!.count / secondRows
            let inputChannels = channelsRead(by: pair.second)
            for o in 0..<secondRows {
                for j in 0..<secondPer {
                    let c = j % inputChannels - pair.channelOffset
                    if c >= 0 && c < rows { second.weight!.values[o * secondPer + j] *= s[c] }
                }
            }
            graph.nodes[pair.first] = first
            graph.nodes[pair.second] = second
        }
        return graph
    }

    /// The channels of the input of weighted node `i`: weight `j` of an output channel (OHWI, or a
    /// dense layer's HWC-flattened input) reads channel `j % channelsRead(by: i)`.
    func channelsRead(by i: Int) -> Int {
        nodes[i].input.map { nodes[$0].outputShape[2] } ?? inputShape[2]
    }

    /// The graph equalised on `images` (`equalizationPairs`, `channelMaxima`, `equalizationScales`).
    public func equalized(on images: [[UInt8]], batchSize: Int = 32) -> FloatGraph {
        let pairs = equalizationPairs
        let maxima = channelMaxima(of: pairs, images: images, batchSize: batchSize)
        return equalized(pairs, scales: pairs.map { equalizationScales($0, maxima: maxima[$0.first]!) })
    }
}

import FacelyzrRuntime
import FacelyzrTrainer

/// Folding a `k` x `k`/`k` average pool into the convolution that reads it (docs/quantization.md
/// "Folding an average pool"): the int8 average pool keeps its input's scale, so its output is
/// rounded a second time to a grid made for values with more spread than their means; the folded
/// convolution reads the pool's input directly and has no such rounding.
extension FloatGraph {
    /// The average pools `foldingAveragePools()` folds: `k` x `k` windows every `k` cells over an
    /// input whose height and width `k` divides, read only by a convolution with stride 1 and an
    /// odd kernel with same padding, or valid padding, whose folded kernel the runtime takes (at
    /// most `BlobFormat.maximumKernel`). A `K` x `K` convolution becomes a `kK` x
    /// `kK`/`k` one with the same padding, each of its weights spread over the `k²` cells its
    /// pooled cell averaged, divided by `k²`.
    public var foldableAveragePools: [Int] {
        nodes.indices.filter { p in
            guard case .averagePool(let k, let stride) = nodes[p].kind, k == stride, k > 1 else { return false }
            let input = nodes[p].input.map { nodes[$0].outputShape } ?? inputShape
            let readers = nodes.indices.filter { nodes[$0].input == p || nodes[$0].secondInput == p }
            guard input[0] % k == 0, input[1] % k == 0, readers.count == 1, nodes[readers[0]].secondInput == nil else { return false }
            guard case .conv2D(let g) = nodes[readers[0]].kind else { return false }
            return g.stride == 1 && (g.padding == .valid || (g.kernelHeight % 2 == 1 && g.kernelWidth % 2 == 1))
                && max(g.kernelHeight, g.kernelWidth) * k <= BlobFormat.maximumKernel
        }
    }

    /// The graph with every pool of `foldableAveragePools` folded into its reader and removed
    /// (later nodes move up by one per removed pool). The same function of the input, up to
    /// float rounding; each folded convolution has `k²` times the weights and multiply-accumulates.
    public func foldingAveragePools() throws(QuantizerError) -> FloatGraph {
        var graph = nodes
        for p in foldableAveragePools.reversed() {
            guard case .averagePool(let k, _) = graph[p].kind else { continue }
            let r = graph.indices.first { graph[$0].input == p }!
            let pooled = graph[p].outputShape, c = pooled[2]
            var reader = graph[r]
            guard case .conv2D(let g) = reader.kind, let weight = reader.weight else { continue }
            let out = weight.shape[0], (kh, kw) = (g.kernelHeight * k, g.kernelWidth * k)
            let folded = Conv2DGeometry(inputHeight: pooled[0] * k, inputWidth: pooled[1] * k, inputChannels: c, outputChannels: out,
                                        kernelHeight: kh, kernelWidth: kw, stride: k, padding: g.padding)
            var values = [Float](repeating: 0, count: out * kh * kw * c)
            for o in 0..<out {
                for y in 0..<kh {
                    for x in 0..<kw {
                        for ch in 0..<c {
                            // Tap (y, x) lies in the pooled cell of tap (y / k, x / k).
                            values[((o * kh + y) * kw + x) * c + ch] =
                                weight.values[((o * g.kernelHeight + y / k) * g.kernelWidth + x / k) * c + ch] / Float(k * k)
                        }
                    }
                }
            }
            reader.kind = .conv2D(folded)
            reader.weight = Tensor(shape: folded.weightShape, values: values)
            reader.input = graph[p].input
            graph[r] = reader
            graph.remove(at: p)
            for i in graph.indices {
                graph[i].input = graph[i].input.map { $0 > p ? $0 - 1 : $0 }
                graph[i].secondInput = graph[i].secondInput.map { $0 > p ? $0 - 1 : $0 }
            }
        }
        return try FloatGraph(inputShape: inputShape, inputScale: inputScale, nodes: graph, heads: heads)
    }
}

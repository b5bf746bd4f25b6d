import FacelyzrQuantizer
import FacelyzrTrainer

extension QuantizerMapping {
    /// The float graph the quantizer reads (`Quantizer.quantize`): the chain checkpoint's, with
    /// the residual adds put back where they were (an add keeps its first operand's shape, so
    /// the chain without them is a valid chain). Throws as `ModelExport.loadGraph` does for a
    /// checkpoint that does not make a network; needs a mapped graph (`chain` set).
    public func floatGraph() throws(QuantizerError) -> FloatGraph {
        guard let chain else { throw .unsupportedLayer(layer: blockers.first?.node ?? "graph", reason: "the graph does not map to the quantizer") }
        let network: Network
        do { network = try chain.network(file: "imported graph") } catch { throw .checkpoint(error) }
        let plain = try FloatGraph(network, normalization: chain.metadata.inputNormalization)
        var nodes: [FloatGraph.Node] = []
        var pending = residualAdds[...]
        for var node in plain.nodes {
            while let add = pending.first, add.index == nodes.count {
                nodes.append(FloatGraph.Node(
                    name: add.node, kind: .add, input: nodes.count - 1, secondInput: add.skip,
                    outputShape: nodes[nodes.count - 1].outputShape, activation: add.activation))
                pending = pending.dropFirst()
            }
            // Every node of the one-head chain reads the node right before it (or the input).
            node.input = node.input == nil ? nil : nodes.count - 1
            nodes.append(node)
        }
        return try FloatGraph(inputShape: plain.inputShape, inputScale: plain.inputScale, nodes: nodes, heads: plain.heads)
    }
}

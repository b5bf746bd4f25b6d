/// What `facelyzr import-model` prints about an imported graph (as text or JSON): its nodes with
/// shapes, parameters and folded ONNX nodes, and which nodes the quantizer cannot take yet.
public struct ImportReport: Codable, Sendable, Equatable {
    /// One node of the imported graph, as printed.
    public struct NodeReport: Codable, Sendable, Equatable {
        public var index: Int
        public var name: String
        /// `conv 3x3/1 pads [1, 1, 1, 1]`, `add`, ...
        public var op: String
        /// `relu` when fused.
        public var activation: String?
        /// `input` or the index of the node read.
        public var inputs: [String]
        /// `[H, W, C]`.
        public var outputShape: [Int]
        public var parameters: Int
        /// The ONNX nodes folded into this one.
        public var folded: [String]
        /// Why the quantizer cannot take the node yet; nil when it can.
        public var notYetSupported: String?
    }

    public var file: String
    public var producer: String
    /// `ONNX opset 18`, `TFLite schema 3`.
    public var format: String
    public var input: String
    /// `[H, W, C]`.
    public var inputShape: [Int]
    public var nodes: [NodeReport]
    public var outputs: [String]
    public var parameters: Int
    /// Whether the whole graph maps to the quantizer's float graph.
    public var quantizerReady: Bool
    /// Blockers that belong to no node (graph outputs, input channels, preprocessing).
    public var otherBlockers: [String]
    public var notes: [String]
    /// The float checkpoint written, if any.
    public var checkpoint: String?
    /// The int8 blob written (`import-model --blob`), if any.
    public var blob: String?

    /// The report of `graph`, with the blockers and notes of `mapping` and the checkpoint or blob path if one was written.
    public init(_ graph: ImportedGraph, mapping: QuantizerMapping, checkpoint: String?, blob: String? = nil) {
        file = graph.file
        producer = graph.producer
        format = graph.format.summary
        input = graph.input.name
        inputShape = graph.input.shape
        var byNode: [String: [String]] = [:]
        for b in mapping.blockers { byNode[b.node, default: []].append(b.reason) }
        nodes = graph.nodes.enumerated().map { i, node in
            NodeReport(index: i, name: node.name, op: node.op.summary, activation: node.activation == .none ? nil : node.activation.rawValue,
                       inputs: node.inputs.map { $0.map(String.init) ?? "input" }, outputShape: node.outputShape,
                       parameters: (node.weight?.count ?? 0) + (node.bias?.count ?? 0), folded: node.folded,
                       notYetSupported: byNode.removeValue(forKey: node.name)?.joined(separator: "; "))
        }
        outputs = graph.outputs.map { "\($0.name) <- node \($0.node)" }
        parameters = graph.parameterCount
        quantizerReady = mapping.graph != nil
        otherBlockers = byNode.sorted { $0.key < $1.key }.map { "\($0.key): \($0.value.joined(separator: "; "))" }
        notes = mapping.notes
        self.checkpoint = checkpoint
        self.blob = blob
    }

    /// The report as aligned text lines.
    public var text: String {
        var lines = ["\(file): \(format), producer \(producer.isEmpty ? "unknown" : producer), input \(input) \(inputShape) (HWC), "
                     + "\(nodes.count) nodes, \(parameters) parameters"]
        let rows = nodes.map { n in
            ["\(n.index)", n.name, n.op + (n.activation.map { " + \($0)" } ?? ""), n.inputs.joined(separator: ","), "\(n.outputShape)", "\(n.parameters)"]
        }
        let header = ["#", "node", "op", "in", "out [H, W, C]", "params"]
        let widths = (0..<header.count).map { k in ([header] + rows).map { $0[k].count }.max()! }
        func line(_ cells: [String]) -> String {
            cells.enumerated().map { k, cell in cell.padding(toLength: widths[k], withPad: " ", startingAt: 0) }.joined(separator: "  ")
        }
        lines.append("  " + line(header))
        for (row, n) in zip(rows, nodes) {
            lines.append("  " + line(row) + (n.folded.isEmpty ? "" : "  folded: \(n.folded.joined(separator: ", "))"))
        }
        lines.append("outputs: \(outputs.joined(separator: ", "))")
        let blocked = nodes.filter { $0.notYetSupported != nil }
        if quantizerReady {
            lines.append("quantizer: the whole graph maps to the quantizer's float graph")
        } else {
            lines.append("quantizer: not yet supported by the quantizer (\(blocked.count + otherBlockers.count) problems):")
            for n in blocked { lines.append("  node \(n.index) \(n.name): \(n.notYetSupported!)") }
            for b in otherBlockers { lines.append("  \(b)") }
        }
        for note in notes { lines.append("note: \(note)") }
        if let checkpoint { lines.append("wrote \(checkpoint) (float checkpoint for `facelyzr quantize`)") }
        return lines.joined(separator: "\n")
    }
}

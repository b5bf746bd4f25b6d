// What every graph an importer returns must satisfy, whatever file it came from: checked by the
// ONNX and TFLite fuzz harnesses (FuzzONNX.swift, FuzzTFLite.swift) on each input that imports.

/// Nodes read only earlier nodes (or the input), outputs name nodes, shapes are positive,
/// parameters match their shapes.
func checkImportedGraph(_ graph: ImportedGraph) {
    precondition(!graph.nodes.isEmpty && !graph.outputs.isEmpty)
    precondition(graph.outputs.allSatisfy { graph.nodes.indices.contains($0.node) }, "an output names no node")
    for (i, node) in graph.nodes.enumerated() {
        precondition(node.inputs.allSatisfy { $0 == nil || $0! < i }, "node \(i) reads a later node")
        precondition(node.outputShape.count == 3 && node.outputShape.allSatisfy { $0 > 0 }, "node \(i) has shape \(node.outputShape)")
        if let w = node.weight { precondition(w.values.count == w.shape.reduce(1, *)) }
    }
}

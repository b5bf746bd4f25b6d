import FacelyzrTrainer

extension GraphReader {
    /// Import-time folding (docs/model-import.md "Folding"), in topological order:
    /// - a per-channel affine (BatchNormalization, constant Mul/Add/Sub/Div) that follows a
    ///   convolution or dense layer read by nothing else is folded into its weights and bias;
    /// - otherwise a pure scale (no offset) that only convolutions or dense layers read is folded
    ///   into their input channels (exact with zero padding, since the padding stays 0);
    /// - a ReLU that follows a convolution, dense layer or add read by nothing else becomes its
    ///   fused activation.
    /// What does not fold stays as its own node.
    mutating func fold(outputs: inout [(node: Int, name: String)]) {
        var uses = [Int](repeating: 0, count: nodes.count)
        for node in nodes { for case let i? in node.inputs { uses[i] += 1 } }
        for output in outputs { uses[output.node] += 1 }
        let outputNodes = Set(outputs.map(\.node))

        func redirect(_ from: Int, to: Int?) {
            for k in nodes.indices where !nodes[k].removed {
                for j in nodes[k].inputs.indices where nodes[k].inputs[j] == from { nodes[k].inputs[j] = to }
            }
            for k in outputs.indices where outputs[k].node == from { outputs[k].node = to! }
            if let to { uses[to] += uses[from] - 1 }
            nodes[from].removed = true
        }
        func isLinear(_ op: ImportedGraph.Op) -> Bool {
            switch op {
            case .conv, .dense: true
            default: false
            }
        }

        for j in nodes.indices where !nodes[j].removed {
            let node = nodes[j]
            switch node.op {
            case .affine:
                let scale = node.weight!.values, offset = node.bias!.values
                if let p = node.inputs[0], isLinear(nodes[p].op), nodes[p].activation == .none, uses[p] == 1 {
                    // y = (W x + b) * s + t  =  (s W) x + (s b + t), per output channel.
                    let rows = scale.count, perRow = nodes[p].weight!.count / rows
                    for o in 0..<rows {
                        for i in (o * perRow)..<((o + 1) * perRow) { nodes[p].weight!.values[i] *= scale[o] }
                        nodes[p].bias!.values[o] = nodes[p].bias!.values[o] * scale[o] + offset[o]
                    }
                    nodes[p].folded += [node.name] + node.folded
                    redirect(j, to: p)
                    continue
                }
                let consumers = nodes.indices.filter { !nodes[$0].removed && nodes[$0].inputs.contains(j) }
                let foldsForward = offset.allSatisfy { $0 == 0 } && !outputNodes.contains(j) && !consumers.isEmpty
                    && consumers.allSatisfy { k in
                        if case .conv(let c) = nodes[k].op { return c.group == 1 }
                        return nodes[k].op == .dense
                    }
                guard foldsForward else { continue }
                // W (x * s) = (W diag(s)) x: scale each input channel's weights.
                let spatial = node.h * node.w
                for k in consumers {
                    let weight = nodes[k].weight!
                    let perOutput = weight.count / weight.shape[0]
                    for i in weight.values.indices {
                        let within = i % perOutput
                        // Conv OIHW: channel = within / (kh * kw); dense over CHW: within / (h * w).
                        let channel = nodes[k].op == .dense ? within / spatial : within / (weight.shape[2] * weight.shape[3])
                        nodes[k].weight!.values[i] *= scale[channel]
                    }
                    nodes[k].folded += [node.name] + node.folded
                }
                redirect(j, to: node.inputs[0])
            case .relu:
                guard let p = node.inputs[0], uses[p] == 1, nodes[p].activation == .none else { continue }
                switch nodes[p].op {
                case .conv, .dense, .add:
                    nodes[p].activation = .relu
                    nodes[p].folded += [node.name] + node.folded
                    redirect(j, to: p)
                default:
                    continue
                }
            default:
                continue
            }
        }
    }

    /// The folded working graph in NHWC: nodes renumbered without the removed ones, convolution
    /// weights OIHW to OHWI, dense weights' columns from the CHW order of an image input to HWC.
    func finish(input: ImportedGraph.Input, outputs: [(node: Int, name: String)], producer: String) -> ImportedGraph {
        var newIndex = [Int?](repeating: nil, count: nodes.count)
        var result: [ImportedGraph.Node] = []
        for (i, node) in nodes.enumerated() where !node.removed {
            newIndex[i] = result.count
            var weight = node.weight
            switch node.op {
            case .conv:
                let w = node.weight!, (o, c, kh, kw) = (w.shape[0], w.shape[1], w.shape[2], w.shape[3])
                var values = [Float](repeating: 0, count: w.count)
                for a in 0..<o { for ci in 0..<c { for y in 0..<kh { for x in 0..<kw {
                    values[((a * kh + y) * kw + x) * c + ci] = w.values[((a * c + ci) * kh + y) * kw + x]
                } } } }
                weight = Tensor(shape: [o, kh, kw, c], values: values)
            case .dense:
                let source = node.inputs[0].map { (nodes[$0].c, nodes[$0].h, nodes[$0].w) } ?? (input.shape[2], input.shape[0], input.shape[1])
                let (c, h, w) = source
                if h * w > 1 {
                    let units = node.weight!.shape[0], n = c * h * w
                    var values = [Float](repeating: 0, count: units * n)
                    for o in 0..<units { for ci in 0..<c { for y in 0..<h { for x in 0..<w {
                        values[o * n + (y * w + x) * c + ci] = node.weight!.values[o * n + (ci * h + y) * w + x]
                    } } } }
                    weight = Tensor(shape: [units, n], values: values)
                }
            default:
                break
            }
            result.append(ImportedGraph.Node(
                name: node.name, op: node.op, inputs: node.inputs.map { $0.flatMap { newIndex[$0] } }, outputShape: [node.h, node.w, node.c],
                weight: weight, bias: node.bias, activation: node.activation, folded: node.folded))
        }
        return ImportedGraph(file: file, format: format, producer: producer, input: input, nodes: result,
                             outputs: outputs.map { (newIndex[$0.node]!, $0.name) })
    }
}

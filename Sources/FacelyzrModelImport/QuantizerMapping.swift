import FacelyzrRuntime
import FacelyzrTrainer

/// How the model's producer turned 8-bit pixels into its float input:
/// `x[c] = (pixel[channelOrder[c]] - mean[c]) * scale` for model channel `c`.
public struct InputPreprocessing: Sendable, Equatable {
    /// One mean per model channel, or one for all.
    public var mean: [Float]
    public var scale: Float
    /// Whether the model's channels are B, G, R (the runtime's images are R, G, B).
    public var bgr: Bool

    public init(mean: [Float], scale: Float, bgr: Bool) {
        self.mean = mean
        self.scale = scale
        self.bgr = bgr
    }

    /// The project's own contract, `(pixel - 128) / 128` in RGB order.
    public static let standard = InputPreprocessing(mean: [128], scale: 1 / 128, bgr: false)
}

/// What the imported graph's head means for the quantizer.
public struct HeadDescription: Sendable, Equatable {
    /// The head's name in the checkpoint and blob (`gender`, `output`).
    public var name: String
    /// One label per class of the model's output; nil names them `class0`, `class1`, ...
    public var labels: [String]?

    public init(name: String, labels: [String]?) {
        self.name = name
        self.labels = labels
    }
}

/// A node the quantizer cannot take yet, and why.
public struct QuantizerBlocker: Sendable, Equatable, CustomStringConvertible {
    public var node: String
    public var reason: String
    public var description: String { "\(node): \(reason)" }
}

/// A residual add of the imported graph, in the quantizer's float graph's node indices.
public struct ResidualAdd: Sendable, Equatable {
    /// The ONNX node's name.
    public var node: String
    /// Its index in the float graph; its first operand is the node right before it.
    public var index: Int
    /// The other operand (the skip connection), an earlier node.
    public var skip: Int
    public var activation: Activation
}

/// The imported graph as the quantizer's float checkpoint, or why it cannot be one.
public struct QuantizerMapping: Sendable {
    /// Empty when the graph maps (`checkpoint` or, with residual adds, `chain` is set).
    public var blockers: [QuantizerBlocker]
    /// The float checkpoint `facelyzr quantize` reads (architecture, parameters named as the
    /// trainer names them, input normalisation `(pixel - 128) * scale`); nil when the graph has
    /// residual adds, which the checkpoint's architecture (a chain) cannot describe.
    public var checkpoint: Checkpoint? { residualAdds.isEmpty ? chain : nil }
    /// The graph without its residual adds, as a checkpoint (`floatGraph()` puts them back).
    public var chain: Checkpoint?
    /// The residual adds, in order.
    public var residualAdds: [ResidualAdd] = []
    /// What the mapping changed that a user should know (softmax of two classes as one logit,
    /// an inexact border after folding a mean into a padded first convolution).
    public var notes: [String]
}

extension ImportedGraph {
    /// Maps the graph onto what `FloatGraph` (and so the quantizer) can express: a chain (with
    /// residual adds of the previous node and an earlier one) of convolutions (square kernel 1-5, stride 1 or 2, TensorFlow same or valid padding), 2x2/2
    /// max and average pools, a global average pool and dense layers, ending in one dense head
    /// with no activation (regression), a sigmoid (binary logits) or a softmax over two classes
    /// (one logit, `softmax(l)[1] = sigmoid(l1 - l0)`). The preprocessing is folded into the
    /// first layer (docs/model-import.md "Input normalisation").
    public func quantizerMapping(preprocessing: InputPreprocessing, head: HeadDescription) -> QuantizerMapping {
        var blockers: [QuantizerBlocker] = []
        var notes: [String] = []
        func block(_ node: Node, _ reason: String) { blockers.append(QuantizerBlocker(node: node.name, reason: reason)) }

        var consumers = [Int](repeating: 0, count: nodes.count)
        for node in nodes { for case let i? in node.inputs { consumers[i] += 1 } }
        // A residual add reads the node right before it and an earlier one, the skip, which the
        // chain's next node reads too.
        var skipReaders = [Int](repeating: 0, count: nodes.count)
        for (i, node) in nodes.enumerated() where node.op == .add && node.inputs.count == 2 && node.inputs.contains(i - 1) {
            for case let j? in node.inputs where j != i - 1 { skipReaders[j] += 1 }
        }
        // Each node's index in the float graph (encoder nodes in order, residual adds among them).
        var graphIndex = [Int?](repeating: nil, count: nodes.count)
        var adds: [ResidualAdd] = []

        var specs: [LayerSpec] = []
        var tensors: [String: Tensor] = [:]
        var headLayer: (weight: Tensor, bias: Tensor)?
        var task = HeadSpec.Task.regression
        var outputUnits = 0

        let lastDense = nodes.lastIndex { $0.op == .dense }
        for (i, node) in nodes.enumerated() {
            let inShape = node.inputs.first.flatMap { $0.map { nodes[$0].outputShape } } ?? input.shape
            // The quantizer takes a plain chain: each node reads the one before and only the next one reads it.
            var chain: [String] = []
            if node.op == .add {
                let skip = node.inputs.first { $0 != i - 1 } ?? nil
                if node.inputs.count != 2 || !node.inputs.contains(i - 1) || skip == nil {
                    chain.append("an add reads the node right before it and an earlier node (a residual connection), not \(node.inputs.map { $0.map { "node \($0)" } ?? "the input" }.joined(separator: " and "))")
                } else if graphIndex[i - 1] == nil || graphIndex[skip!] == nil {
                    chain.append("reads \(nodes[graphIndex[i - 1] == nil ? i - 1 : skip!].name), which the quantizer cannot take")
                }
            } else if node.inputs != [i == 0 ? nil : i - 1] {
                chain.append("reads \(node.inputs.map { $0.map { "node \($0)" } ?? "the input" }.joined(separator: " and ")), not the previous node (the quantizer takes a chain with residual adds)")
            }
            if i < nodes.count - 1 && consumers[i] != 1 + skipReaders[i] {
                let skips = skipReaders[i] == 0 ? "" : ", \(skipReaders[i]) of them as an add's skip"
                chain.append("its output is read by \(consumers[i]) node\(consumers[i] == 1 ? "" : "s")\(skips); the quantizer takes a chain with residual adds, in which the next node reads it")
            }
            if !chain.isEmpty {
                block(node, chain.joined(separator: "; "))
                continue
            }
            let encoderNodes = specs.count + adds.count
            let isHeadLayer = i == lastDense && nodes[(i + 1)...].allSatisfy { [.softmax, .sigmoid].contains($0.op) }
            switch node.op {
            case .conv(let c):
                var reasons: [String] = []
                if c.group != 1 { reasons.append("grouped convolution (group \(c.group))") }
                if c.kernelHeight != c.kernelWidth || !(1...5).contains(c.kernelHeight) { reasons.append("kernel \(c.kernelHeight)x\(c.kernelWidth) (square 1 to 5 only)") }
                if c.strideHeight != c.strideWidth || !(1...2).contains(c.strideHeight) { reasons.append("stride \(c.strideHeight)x\(c.strideWidth) (1 or 2 only)") }
                let padding = runtimePadding(c, input: inShape)
                if padding == nil { reasons.append("pads \(c.pads) are neither TensorFlow's same nor valid") }
                guard reasons.isEmpty, let padding else { block(node, reasons.joined(separator: "; ")); continue }
                specs.append(.conv2d(node.outputShape[2], kernel: c.kernelHeight, stride: c.strideHeight, padding: padding, activation: node.activation))
                tensors["encoder.\(specs.count - 1).weight"] = node.weight
                tensors["encoder.\(specs.count - 1).bias"] = node.bias
            case .maxPool(let p), .averagePool(let p, _):
                guard p.kernelHeight == 2, p.kernelWidth == 2, p.strideHeight == 2, p.strideWidth == 2, p.pads.allSatisfy({ $0 == 0 }),
                      node.outputShape[0] == inShape[0] / 2, node.outputShape[1] == inShape[1] / 2 else {
                    block(node, "\(node.op.summary) (2x2/2 without padding only)")
                    continue
                }
                if case .maxPool = node.op { specs.append(.maxPool2x2) } else { specs.append(.averagePool2x2) }
            case .globalAveragePool:
                specs.append(.globalAveragePool)
            case .add:
                let skip = node.inputs.first { $0 != i - 1 }!!
                adds.append(ResidualAdd(node: node.name, index: encoderNodes, skip: graphIndex[skip]!, activation: node.activation))
            case .dense where isHeadLayer:
                guard node.activation == .none else { block(node, "the head's dense layer has a fused \(node.activation)"); continue }
                headLayer = (node.weight!, node.bias!)
                outputUnits = node.outputShape[2]
            case .dense:
                specs.append(.dense(node.outputShape[2], activation: node.activation))
                tensors["encoder.\(specs.count - 1).weight"] = node.weight
                tensors["encoder.\(specs.count - 1).bias"] = node.bias
            case .sigmoid where i == nodes.count - 1 && headLayer != nil:
                task = .binary
            case .softmax where i == nodes.count - 1 && headLayer != nil && outputUnits == 2:
                // softmax(l)[1] = 1 / (1 + exp(l0 - l1)) = sigmoid(l1 - l0): one logit, W1 - W0 and b1 - b0.
                let (w, b) = headLayer!
                let n = w.shape[1]
                headLayer = (Tensor(shape: [1, n], values: (0..<n).map { w.values[n + $0] - w.values[$0] }),
                             Tensor(shape: [1], values: [b.values[1] - b.values[0]]))
                task = .binary
                notes.append("\(node.name): softmax over 2 classes becomes one logit l1 - l0 (sigmoid of it is the second class's probability)")
            case .softmax:
                block(node, "softmax over \(node.outputShape[2]) classes (not yet supported by the quantizer: its heads are logits or values; two classes map to one logit)")
            default:
                block(node, "\(node.op.summary) is not yet supported by the quantizer")
            }
            if specs.count + adds.count > encoderNodes { graphIndex[i] = encoderNodes }
        }
        if headLayer == nil, blockers.isEmpty, let last = nodes.last {
            block(last, "the graph does not end in a dense layer (the quantizer's head)")
        }
        if outputs.count != 1 { blockers.append(QuantizerBlocker(node: "graph outputs", reason: "\(outputs.count) outputs; the quantizer takes one head")) }
        let channels = input.shape[2]
        if channels != 1 && channels != 3 {
            blockers.append(QuantizerBlocker(node: input.name, reason: "\(channels) input channels; the runtime takes gray8 or rgb8 images"))
        }
        if preprocessing.mean.count != 1 && preprocessing.mean.count != channels {
            blockers.append(QuantizerBlocker(node: input.name, reason: "\(preprocessing.mean.count) means for \(channels) channels"))
        }
        if !(preprocessing.scale > 0 && preprocessing.scale.isFinite) {
            blockers.append(QuantizerBlocker(node: input.name, reason: "input scale \(preprocessing.scale) must be positive and finite"))
        }
        let labels = head.labels ?? (0..<outputUnits).map { "class\($0)" }
        if headLayer != nil && labels.count != outputUnits {
            blockers.append(QuantizerBlocker(node: head.name, reason: "\(labels.count) labels for \(outputUnits) outputs"))
        }
        guard blockers.isEmpty, let headLayer else { return QuantizerMapping(blockers: blockers, chain: nil, notes: notes) }

        let headTensorPrefix = "heads.\(head.name).0"
        tensors[headTensorPrefix + ".weight"] = headLayer.weight
        tensors[headTensorPrefix + ".bias"] = headLayer.bias
        let firstPrefix = specs.isEmpty ? headTensorPrefix : "encoder.0"
        guard tensors[firstPrefix + ".weight"] != nil else {
            blockers.append(QuantizerBlocker(node: nodes[0].name, reason: "the first layer must be a convolution or dense layer to take the input normalisation"))
            return QuantizerMapping(blockers: blockers, chain: nil, notes: notes)
        }
        if let note = foldPreprocessing(preprocessing, into: &tensors, prefix: firstPrefix, node: nodes[0]) { notes.append(note) }

        let labelled = task == .binary && outputUnits == 2 && nodes.last?.op == .softmax ? [labels[1]] : labels
        let architecture = Architecture(
            inputHeight: input.shape[0], inputWidth: input.shape[1], inputChannels: channels, encoder: specs,
            heads: [HeadSpec(name: head.name, task: task, hidden: [], labels: labelled)])
        do { _ = try architecture.cost() } catch {
            return QuantizerMapping(blockers: [QuantizerBlocker(node: error.layer, reason: error.reason)], chain: nil, notes: notes)
        }
        let plan = TrainingPlan(seed: 0, batchSize: 1, pretraining: nil, supervised: .init(
            steps: 0, optimizer: OptimizerConfig(method: .sgd, schedule: LearningRateSchedule(baseRate: 0, totalSteps: 1)), fineTuneEncoder: false))
        let metadata = CheckpointMetadata(
            architecture: architecture, inputNormalization: InputNormalization(offset: 128, scale: 1 / preprocessing.scale),
            dataProvenance: "imported from \(file) (\(producer.isEmpty ? "unknown producer" : producer), opset \(opset)) by facelyzr import-model",
            plan: plan, phase: .finished, stepInPhase: 0, totalSteps: 0, optimizerStep: nil, randomState: "0000000000000000")
        if !adds.isEmpty {
            notes.append("\(adds.count) residual add\(adds.count == 1 ? "" : "s") (\(adds.map(\.node).joined(separator: ", "))): the quantizer takes the graph (QuantizerMapping.floatGraph), but a checkpoint's architecture is a chain and cannot hold an add, so none is written")
        }
        return QuantizerMapping(blockers: [], chain: Checkpoint(metadata: metadata, tensors: tensors), residualAdds: adds, notes: notes)
    }

    /// The runtime padding (TensorFlow's same or valid) whose pads equal the convolution's, if any.
    func runtimePadding(_ c: Convolution, input: [Int]) -> LayerSpec.PaddingName? {
        for padding in [Padding.valid, .same] {
            let rows = padding.outputLength(input: input[0], kernel: c.kernelHeight, stride: c.strideHeight)
            let columns = padding.outputLength(input: input[1], kernel: c.kernelWidth, stride: c.strideWidth)
            let after = { (length: Int, size: Int, kernel: Int, stride: Int, before: Int) in
                padding == .valid ? 0 : max((length - 1) * stride + kernel - size, 0) - before
            }
            let pads = [rows.padBefore, columns.padBefore,
                        after(rows.length, input[0], c.kernelHeight, c.strideHeight, rows.padBefore),
                        after(columns.length, input[1], c.kernelWidth, c.strideWidth, columns.padBefore)]
            if pads == c.pads { return padding == .valid ? .valid : .same }
        }
        return nil
    }

    /// Folds `x[c] = (pixel[order[c]] - mean[c]) * scale` into the first layer, whose input
    /// becomes the runtime's `(pixel - 128) * scale` in RGB order: the weights of model channel `c`
    /// move to pixel channel `order[c]`, and the bias gains `sum W * (128 - mean[c]) * scale`.
    /// Exact unless the first layer zero-pads and a mean is not 128: a padded cell is 0 in the
    /// model but stands for pixel 128 after folding, so an output next to the border misses the
    /// taps that fall in the padding; the returned note gives the largest such difference.
    func foldPreprocessing(_ p: InputPreprocessing, into tensors: inout [String: Tensor], prefix: String, node: Node) -> String? {
        var weight = tensors[prefix + ".weight"]!, bias = tensors[prefix + ".bias"]!
        let channels = input.shape[2]
        let offsets = (0..<channels).map { (128 - p.mean[p.mean.count == 1 ? 0 : $0]) * p.scale }
        let order = p.bgr && channels == 3 ? [2, 1, 0] : Array(0..<channels)
        let perOutput = weight.count / weight.shape[0]
        var moved = weight.values
        for o in 0..<weight.shape[0] {
            var sum: Float = 0
            for i in 0..<perOutput {
                // OHWI and dense over HWC both keep the channel innermost.
                let c = i % channels, k = o * perOutput + i
                sum += weight.values[k] * offsets[c]
                moved[k - c + order[c]] = weight.values[k]
            }
            bias.values[o] += sum
        }
        let original = weight
        weight.values = moved
        tensors[prefix + ".weight"] = weight
        tensors[prefix + ".bias"] = bias
        guard case .conv(let c) = node.op, c.pads.contains(where: { $0 != 0 }), offsets.contains(where: { $0 != 0 }) else { return nil }
        // The folded bias counts every tap; at output (y, x) the taps in the padding should not count.
        var largest: Float = 0
        let (kh, kw) = (c.kernelHeight, c.kernelWidth)
        for y in 0..<node.outputShape[0] {
            for x in 0..<node.outputShape[1] {
                let top = y * c.strideHeight - c.pads[0], left = x * c.strideWidth - c.pads[1]
                let inside = (0..<kh).allSatisfy { (0..<input.shape[0]).contains(top + $0) } && (0..<kw).allSatisfy { (0..<input.shape[1]).contains(left + $0) }
                if inside { continue }
                for o in 0..<original.shape[0] {
                    var missing: Float = 0
                    for r in 0..<kh {
                        for s in 0..<kw where !(0..<input.shape[0]).contains(top + r) || !(0..<input.shape[1]).contains(left + s) {
                            for ch in 0..<channels { missing += original.values[((o * kh + r) * kw + s) * channels + ch] * offsets[ch] }
                        }
                    }
                    largest = max(largest, abs(missing))
                }
            }
        }
        return "\(node.name): the input mean is folded into the bias; outputs next to the zero-padded border differ from the model's by up to \(largest) before the activation"
    }
}

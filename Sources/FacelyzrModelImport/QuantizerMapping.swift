import FacelyzrQuantizer
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
    /// One label per class of the model's output; nil names them `class0`, `class1`, ... (or,
    /// with `binValues`, after the bin values: `0.25`, `1`, ...).
    public var labels: [String]?
    /// The value of each bin of a softmax over bins (the ages 0.25, 1, ..., 80 of an age net's
    /// 81 bins): the head becomes an expected-value head, `sum p_i * value_i`; nil keeps a softmax
    /// over classes.
    public var binValues: [Float]?

    public init(name: String, labels: [String]?, binValues: [Float]? = nil) {
        self.name = name
        self.labels = labels
        self.binValues = binValues
    }
}

/// A node the quantizer cannot take yet, and why.
public struct QuantizerBlocker: Sendable, Equatable, CustomStringConvertible {
    public var node: String
    public var reason: String
    public var description: String { "\(node): \(reason)" }
}

/// The imported graph as the quantizer's float graph (and, when it is a chain of the trainer's
/// layers, as the float checkpoint `facelyzr quantize` reads), or why it cannot be one.
public struct QuantizerMapping: Sendable {
    /// Empty when the graph maps (`graph` is set).
    public var blockers: [QuantizerBlocker]
    /// The float graph `Quantizer.quantize` calibrates, node for node the imported graph's (plus
    /// the explicit pads and the input's mean channel the mapping adds); nil when a node blocks.
    public var graph: FloatGraph?
    /// `graph` as a float checkpoint (architecture, parameters named as the trainer names them,
    /// input normalisation `(pixel - 128) * scale`), when the trainer's architectures can
    /// describe it: a chain of convolutions, 2x2/2 pools, a global average pool and dense layers.
    /// nil for graphs with adds, pads or other pools, which `import-model --blob` quantizes.
    public var checkpoint: Checkpoint?
    /// What the mapping changed that a user should know (softmax of two classes as one logit,
    /// the input's mean channel, why no checkpoint).
    public var notes: [String]
}

extension ImportedGraph {
    /// Maps the graph onto the quantizer's `FloatGraph` node for node (docs/model-import.md
    /// "Mapping onto the quantizer"): convolutions (group 1, equal strides; pads other than
    /// TensorFlow's same or valid become an explicit `pad` and a valid convolution), max and
    /// average pools without padding, global average pools, adds of any two nodes, zero `pad`s,
    /// dense layers, and one dense head at the end with no activation (values), a sigmoid (binary
    /// logits) or a softmax (over two classes one logit, `softmax(l)[1] = sigmoid(l1 - l0)`; over
    /// more, a softmax head with the labels, or an expected-value head with `head.binValues`; docs/
    /// model-import.md "Heads"); or, for a detector whose every output is a 1x1 convolution read by
    /// no node, one per-place raw head per output, in output order and named after it (`head` is
    /// not used then). Any node may have several readers. The preprocessing is folded into the
    /// layer that reads the input (docs/model-import.md "Input normalisation").
    public func quantizerMapping(preprocessing: InputPreprocessing, head: HeadDescription) -> QuantizerMapping {
        var blockers: [QuantizerBlocker] = []
        var notes: [String] = []
        func block(_ node: Node, _ reason: String) { blockers.append(QuantizerBlocker(node: node.name, reason: reason)) }
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
        // A detector: every graph output is a 1x1 convolution (group 1, stride 1, no padding or
        // activation) that no node reads, its raw score or box map: one per-place raw head each,
        // in the graph's output order and named after the output (`regressors[0..<512]`), so a
        // host reads them by name (docs/model-import.md "Detector heads").
        let detectorHeads = outputs.map(\.node)
        let detector = !outputs.isEmpty && Set(detectorHeads).count == outputs.count && detectorHeads.allSatisfy { i in
            guard case .conv(let c) = nodes[i].op else { return false }
            return c.kernelHeight == 1 && c.kernelWidth == 1 && c.strideHeight == 1 && c.strideWidth == 1 && c.group == 1
                && c.pads.allSatisfy { $0 == 0 } && nodes[i].activation == .none && nodes[i].inputs != [nil]
                && !nodes.contains { $0.inputs.contains(i) }
        }
        if outputs.count != 1 && !detector {
            blockers.append(QuantizerBlocker(node: "graph outputs", reason: "\(outputs.count) outputs; the quantizer takes one head, or a detector's 1x1 convolution maps"))
        }

        // The head: the last dense layer, followed by nothing, a sigmoid or a softmax.
        let headLayer = detector ? nil : nodes.lastIndex { $0.op == .dense }
        let tail = headLayer.map { Array(nodes[($0 + 1)...]) } ?? []
        let units = headLayer.map { nodes[$0].outputShape[2] } ?? 0
        var headKind = HeadKind.regression
        var oneLogit = false
        switch detector ? [] : tail.map(\.op) {
        case [] where detector: headKind = .raw
        case [] where headLayer != nil: break
        case [.sigmoid]: headKind = .binary
        case [.softmax] where units == 2 && head.binValues == nil:
            headKind = .binary
            oneLogit = true
            notes.append("\(tail[0].name): softmax over 2 classes becomes one logit l1 - l0 (sigmoid of it is the second class's probability)")
        case [.softmax] where head.binValues != nil:
            headKind = .expectedValue
        case [.softmax]:
            headKind = .softmax
        default:
            if let last = nodes.last { block(last, "the graph does not end in a dense layer (the quantizer's head), optionally followed by a sigmoid or softmax") }
        }
        if let values = head.binValues, headKind != .expectedValue {
            blockers.append(QuantizerBlocker(node: head.name, reason: "\(values.count) bin values, but the graph does not end in a softmax"))
        } else if let values = head.binValues, values.count != units {
            blockers.append(QuantizerBlocker(node: head.name, reason: "\(values.count) bin values for \(units) outputs"))
        }
        let labels = head.labels ?? (0..<units).map { i in head.binValues.map { i < $0.count ? FloatGraph.Head.binLabel($0[i]) : "bin\(i)" } ?? "class\(i)" }
        if headLayer != nil && labels.count != units {
            blockers.append(QuantizerBlocker(node: head.name, reason: "\(labels.count) labels for \(units) outputs"))
        }

        // The input normalisation folds into the one layer that reads the input.
        let inputReaders = nodes.indices.filter { nodes[$0].inputs.contains(nil) }
        var offsets = [Float](repeating: 0, count: channels), order = Array(0..<channels)
        if blockers.isEmpty {
            offsets = (0..<channels).map { (128 - preprocessing.mean[preprocessing.mean.count == 1 ? 0 : $0]) * preprocessing.scale }
            if preprocessing.bgr && channels == 3 { order = [2, 1, 0] }
        }
        var meanChannel = false
        if inputReaders.count == 1, case .conv(let c) = nodes[inputReaders[0]].op, c.pads.contains(where: { $0 != 0 }),
           offsets.contains(where: { $0 != 0 }) {
            meanChannel = true
        }
        let takesNormalisation = inputReaders.count == 1 && {
            if case .conv = nodes[inputReaders[0]].op { return true }
            return nodes[inputReaders[0]].op == .dense
        }()
        if !takesNormalisation {
            blockers.append(QuantizerBlocker(node: input.name, reason: "the input must be read by one convolution or dense layer, which takes the input normalisation"))
        }

        var graphNodes: [FloatGraph.Node] = []
        let inputScale = preprocessing.scale
        // The model's zero padding stands for its mean; the runtime's for pixel 128. A constant
        // channel of value `meanValue` (real value of pixel 192) whose weights carry the offsets
        // makes the first convolution exact at the border (docs/model-import.md "Input normalisation").
        let meanValue = 64 * inputScale
        if meanChannel {
            var weight = [Float](repeating: 0, count: (channels + 1) * channels)
            for c in 0..<channels { weight[c * channels + c] = 1 }
            graphNodes.append(FloatGraph.Node(
                name: "\(input.name).mean", kind: .conv2D(Conv2DGeometry(
                    inputHeight: input.shape[0], inputWidth: input.shape[1], inputChannels: channels, outputChannels: channels + 1,
                    kernelHeight: 1, kernelWidth: 1, stride: 1, padding: .valid)),
                input: nil, outputShape: [input.shape[0], input.shape[1], channels + 1],
                weight: Tensor(shape: [channels + 1, 1, 1, channels], values: weight),
                bias: Tensor(shape: [channels + 1], values: [Float](repeating: 0, count: channels) + [meanValue]), activation: .none))
            notes.append("\(nodes[inputReaders[0]].name): the input means are not pixel 128 and the convolution zero-pads: a constant channel (\(input.name).mean, a 1x1 convolution) carries the means, so the border is exact")
        }
        let inputNode: Int? = meanChannel ? 0 : nil

        var graphIndex = [Int?](repeating: nil, count: nodes.count)
        for (i, node) in nodes.enumerated() {
            if let headLayer, i > headLayer { continue }
            // A node that reads a blocked one is still checked for its own problems (the
            // blockers name the nodes at fault); the graph is not built then.
            let sources = node.inputs.map { $0.map { graphIndex[$0] ?? nil } ?? inputNode }
            let x = sources[0]
            let inShape = node.inputs[0].map { nodes[$0].outputShape } ?? input.shape
            var weight = node.weight, bias = node.bias
            if node.inputs == [nil], let w = weight, var b = bias {
                // x[c] = x'[order[c]] + o[c]: the weights of model channel c move to pixel channel
                // order[c]; the offsets go to the bias, or to the mean channel's weights.
                let perOutput = w.count / w.shape[0], taps = perOutput / channels
                let width = meanChannel ? channels + 1 : channels
                var moved = [Float](repeating: 0, count: w.shape[0] * taps * width)
                for o in 0..<w.shape[0] {
                    for t in 0..<taps {
                        var sum: Float = 0
                        for c in 0..<channels {
                            let value = w.values[o * perOutput + t * channels + c]
                            moved[(o * taps + t) * width + order[c]] = value
                            sum += value * offsets[c]
                        }
                        if meanChannel { moved[(o * taps + t) * width + channels] = sum / meanValue } else { b.values[o] += sum }
                    }
                }
                var shape = w.shape
                shape[shape.count - 1] = shape.count == 4 ? width : taps * width  // OHWI, or dense [out, H * W * C]
                weight = Tensor(shape: shape, values: moved)
                bias = b
            }
            let inChannels = x == inputNode && meanChannel ? channels + 1 : inShape[2]
            switch node.op {
            case .conv where detector && detectorHeads.contains(i):
                // After the body, in output order (below): the blob's heads are in node order.
                continue
            case .conv(let c):
                var reasons: [String] = []
                // Depthwise 3x3 (one filter per channel): the runtime's depthwiseConv2D, strides 1-2.
                let depthwise = c.group > 1 && c.group == inChannels && node.outputShape[2] == inChannels
                if depthwise {
                    if c.kernelHeight != 3 || c.kernelWidth != 3 || c.strideHeight > 2 || node.inputs == [nil] {
                        reasons.append("depthwise \(c.kernelHeight)x\(c.kernelWidth)/\(c.strideHeight)\(node.inputs == [nil] ? " reading the input" : "") (the runtime's depthwise is 3x3, stride 1 or 2, after the first layer)")
                    }
                } else if c.group != 1 {
                    reasons.append("grouped convolution (group \(c.group)); group 1 and depthwise are supported")
                }
                if c.strideHeight != c.strideWidth { reasons.append("stride \(c.strideHeight)x\(c.strideWidth) (equal strides only)") }
                guard reasons.isEmpty else { block(node, reasons.joined(separator: "; ")); continue }
                var convInput = x, convShape = [inShape[0], inShape[1], inChannels]
                var padding = runtimePadding(c, input: inShape)
                if padding == nil {
                    // Pads that are neither same nor valid: an explicit zero pad, then a valid convolution.
                    convShape = [inShape[0] + c.pads[0] + c.pads[2], inShape[1] + c.pads[1] + c.pads[3], inChannels]
                    graphNodes.append(FloatGraph.Node(name: node.name + ".pad", kind: .pad(top: c.pads[0], left: c.pads[1], channelsBefore: 0),
                                                      input: x, outputShape: convShape, activation: .none))
                    convInput = graphNodes.count - 1
                    padding = .valid
                }
                let geometry = Conv2DGeometry(inputHeight: convShape[0], inputWidth: convShape[1], inputChannels: convShape[2],
                                              outputChannels: node.outputShape[2], kernelHeight: c.kernelHeight, kernelWidth: c.kernelWidth,
                                              stride: c.strideHeight, padding: padding == .same ? .same : .valid)
                graphNodes.append(FloatGraph.Node(name: node.name, kind: depthwise ? .depthwiseConv2D(geometry) : .conv2D(geometry), input: convInput, outputShape: node.outputShape,
                                                  weight: weight, bias: bias, activation: node.activation))
            case .dense where i == headLayer:
                guard node.activation == .none else { block(node, "the head's dense layer has a fused \(node.activation)"); continue }
                if oneLogit, let w = weight, let b = bias {
                    // softmax(l)[1] = 1 / (1 + exp(l0 - l1)) = sigmoid(l1 - l0): one logit, W1 - W0 and b1 - b0.
                    let n = w.shape[1]
                    weight = Tensor(shape: [1, n], values: (0..<n).map { w.values[n + $0] - w.values[$0] })
                    bias = Tensor(shape: [1], values: [b.values[1] - b.values[0]])
                }
                graphNodes.append(FloatGraph.Node(name: node.name, kind: .headOutput(head: 0), input: x, outputShape: [1, 1, weight!.shape[0]],
                                                  weight: weight, bias: bias, activation: .none))
            case .dense:
                graphNodes.append(FloatGraph.Node(name: node.name, kind: .dense, input: x, outputShape: node.outputShape,
                                                  weight: weight, bias: bias, activation: node.activation))
            case .maxPool(let p), .averagePool(let p, _):
                let size = p.kernelHeight, stride = p.strideHeight
                guard p.kernelWidth == size, p.strideWidth == stride, p.pads.allSatisfy({ $0 == 0 }), inShape[0] >= size, inShape[1] >= size,
                      node.outputShape == [(inShape[0] - size) / stride + 1, (inShape[1] - size) / stride + 1, inShape[2]]
                else {
                    block(node, "\(node.op.summary) (square windows, equal strides, no padding, no ceil mode that changes the size)")
                    continue
                }
                let kind: FloatGraph.Kind
                if case .maxPool = node.op { kind = .maxPool(size: size, stride: stride) } else { kind = .averagePool(size: size, stride: stride) }
                graphNodes.append(FloatGraph.Node(name: node.name, kind: kind, input: x, outputShape: node.outputShape, activation: .none))
            case .globalAveragePool:
                graphNodes.append(FloatGraph.Node(name: node.name, kind: .globalAveragePool, input: x, outputShape: node.outputShape, activation: .none))
            case .add:
                graphNodes.append(FloatGraph.Node(name: node.name, kind: .add, input: x, secondInput: sources[1], outputShape: node.outputShape,
                                                  activation: node.activation))
            case .pad(let pads, let value):
                guard value == 0 else { block(node, "pad value \(value) (the runtime pads with the zero point, real 0)"); continue }
                graphNodes.append(FloatGraph.Node(name: node.name, kind: .pad(top: pads[0], left: pads[1], channelsBefore: pads[2]), input: x,
                                                  outputShape: node.outputShape, activation: .none))
            default:
                block(node, "\(node.op.summary) is not yet supported by the quantizer")
                continue
            }
            if node.inputs.allSatisfy({ $0.map { graphIndex[$0] != nil } ?? true }) { graphIndex[i] = graphNodes.count - 1 }
        }
        guard blockers.isEmpty else { return QuantizerMapping(blockers: blockers, graph: nil, checkpoint: nil, notes: notes) }
        if detector {
            // A detector's heads, each a 1x1 convolution: OHWI [M, 1, 1, C] is the per-place head's [M, C].
            for (h, i) in detectorHeads.enumerated() {
                let node = nodes[i]
                graphNodes.append(FloatGraph.Node(
                    name: node.name, kind: .headOutput(head: h), input: graphIndex[node.inputs[0]!]!, outputShape: node.outputShape,
                    weight: node.weight.map { Tensor(shape: [$0.shape[0], $0.count / $0.shape[0]], values: $0.values) }, bias: node.bias,
                    activation: .none))
            }
        }

        let graph: FloatGraph
        do {
            let heads = detector
                ? outputs.map { output in
                    // Each place's outputs are labelled by their channel, 0..<M.
                    let shape = nodes[output.node].outputShape
                    let place = (0..<shape[2]).map(String.init)
                    return FloatGraph.Head(name: output.name, kind: .raw, labels: Array(repeatElement(place, count: shape[0] * shape[1]).joined()))
                }
                : [FloatGraph.Head(name: head.name, kind: headKind, labels: oneLogit ? [labels[1]] : labels,
                                   values: headKind == .expectedValue ? head.binValues! : [])]
            graph = try FloatGraph(inputShape: input.shape, inputScale: inputScale, nodes: graphNodes, heads: heads)
        } catch {
            return QuantizerMapping(blockers: [QuantizerBlocker(node: "graph", reason: error.description)], graph: nil, checkpoint: nil, notes: notes)
        }
        let checkpoint: Checkpoint?
        switch chainCheckpoint(graph) {
        case .success(let c): checkpoint = c
        case .failure(let reason):
            checkpoint = nil
            notes.append("no float checkpoint: \(reason.reason); a checkpoint's architecture is a chain of the trainer's layers (`import-model --blob` quantizes the graph)")
        }
        return QuantizerMapping(blockers: [], graph: graph, checkpoint: checkpoint, notes: notes)
    }

    /// Why a float graph is not a trainer architecture.
    struct NotAChain: Error { var reason: String }

    /// `graph` as the trainer's checkpoint, when it is a chain of the trainer's layers.
    func chainCheckpoint(_ graph: FloatGraph) -> Result<Checkpoint, NotAChain> {
        var specs: [LayerSpec] = []
        var tensors: [String: Tensor] = [:]
        let head = graph.heads[0]
        guard head.kind == .binary || head.kind == .regression else {
            return .failure(NotAChain(reason: "the trainer's heads are binary or regression, not \(head.kind)"))
        }
        for (i, node) in graph.nodes.enumerated() {
            guard node.input == (i == 0 ? nil : i - 1), node.secondInput == nil else {
                return .failure(NotAChain(reason: "\(node.name) does not read only the node before it"))
            }
            let prefix = "encoder.\(specs.count)"
            switch node.kind {
            case .conv2D(let g) where g.kernelHeight == g.kernelWidth:
                specs.append(.conv2d(g.outputChannels, kernel: g.kernelHeight, stride: g.stride, padding: g.padding == .same ? .same : .valid,
                                     activation: node.activation))
            case .maxPool(2, 2): specs.append(.maxPool2x2)
            case .averagePool(2, 2): specs.append(.averagePool2x2)
            case .globalAveragePool: specs.append(.globalAveragePool)
            case .dense: specs.append(.dense(node.outputShape[2], activation: node.activation))
            case .headOutput where i == graph.nodes.count - 1:
                tensors["heads.\(head.name).0.weight"] = node.weight
                tensors["heads.\(head.name).0.bias"] = node.bias
                continue
            default:
                return .failure(NotAChain(reason: "\(node.name) (\(node.kind)) is not a trainer layer"))
            }
            if node.weight != nil {
                tensors[prefix + ".weight"] = node.weight
                tensors[prefix + ".bias"] = node.bias
            }
        }
        let architecture = Architecture(
            inputHeight: graph.inputShape[0], inputWidth: graph.inputShape[1], inputChannels: graph.inputShape[2], encoder: specs,
            heads: [HeadSpec(name: head.name, task: head.kind == .binary ? .binary : .regression, hidden: [], labels: head.labels)])
        do { _ = try architecture.cost() } catch { return .failure(NotAChain(reason: "\(error.layer): \(error.reason)")) }
        let plan = TrainingPlan(seed: 0, batchSize: 1, pretraining: nil, supervised: .init(
            steps: 0, optimizer: OptimizerConfig(method: .sgd, schedule: LearningRateSchedule(baseRate: 0, totalSteps: 1)), fineTuneEncoder: false))
        let metadata = CheckpointMetadata(
            architecture: architecture, inputNormalization: InputNormalization(offset: 128, scale: 1 / graph.inputScale),
            dataProvenance: provenance, plan: plan, phase: .finished, stepInPhase: 0, totalSteps: 0, optimizerStep: nil,
            randomState: "0000000000000000")
        return .success(Checkpoint(metadata: metadata, tensors: tensors))
    }

    /// Where the model came from, for checkpoints and model cards.
    public var provenance: String {
        "imported from \(file) (\(producer.isEmpty ? "unknown producer" : producer), \(format.summary)) by facelyzr import-model"
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
}

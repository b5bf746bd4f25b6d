import FacelyzrRuntime
import FacelyzrTrainer

/// A float network as the list of ops the blob will hold, one node per op in execution order
/// (dropout, which exports as nothing, is left out): node `i` becomes op `i` of the blob.
/// A regression head's `outputScale` and `outputOffset` are folded into its last layer, so every
/// head output is the real value (a logit, years, or an expected-value head's bin logit).
public struct FloatGraph: Sendable {
    public enum Kind: Sendable, Equatable {
        case conv2D(Conv2DGeometry)
        /// 3x3 depthwise convolution (depth multiplier 1: `inputChannels == outputChannels`),
        /// weight `[C, 3, 3, 1]`: the runtime's depthwiseConv2D (docs/quantization.md "The quantizer").
        case depthwiseConv2D(Conv2DGeometry)
        /// `size` x `size` windows every `stride` cells, no padding (output `(H - size) / stride + 1`).
        /// The runtime's max pool is 2x2/2 (`BlobBuilder.maxPool2x2`).
        case maxPool(size: Int, stride: Int)
        /// As `maxPool`, the mean of each window. The runtime's average pool is 2x2/2.
        case averagePool(size: Int, stride: Int)
        case globalAveragePool
        case dense
        /// A head's last dense layer: its int32 accumulators are the head's outputs. Weight
        /// `[out, in]` over the whole input (output `[1, 1, out]`), or, with output `[H, W, out]`
        /// over an `[H, W, C]` input of more than one place, a 1x1 convolution with weight
        /// `[out, C]` at every place (a per-place head, docs/quantization.md "Heads"; its outputs
        /// place by place, and its head's labels repeat per place).
        case headOutput(head: Int)
        /// Element-wise sum of the outputs of `input` and `secondInput` (a residual connection),
        /// then `activation`: the runtime's add (docs/quantization.md "Add").
        case add
        /// Zero padding: the input at `top` rows, `left` columns, `channelsBefore` channels of
        /// the output (`outputShape`), zeros around it: the runtime's pad (keeps the quantization).
        case pad(top: Int, left: Int, channelsBefore: Int)
    }

    public struct Node: Sendable {
        /// `encoder.4`, `heads.age.1`: the checkpoint's parameter prefix.
        public var name: String
        public var kind: Kind
        /// The node whose output this one reads; nil for the model input.
        public var input: Int?
        /// An add's second operand (an earlier node; nil for the model input); nil otherwise.
        public var secondInput: Int? = nil
        /// Output shape per image, `[H, W, C]` (dense outputs `[1, 1, n]`).
        public var outputShape: [Int]
        /// OHWI or `[out, in]`; nil for pools.
        public var weight: Tensor?
        public var bias: Tensor?
        public var activation: Activation

        /// Whether the node is a per-place head (`Kind.headOutput` over more than one place).
        public var isPerPlaceHead: Bool {
            if case .headOutput = kind { outputShape[0] * outputShape[1] > 1 } else { false }
        }

        /// Whether the node's output is a requantised int8 activation that needs calibration
        /// (convolutions, dense layers and adds; pools keep their input's quantization).
        public var isCalibrated: Bool {
            switch kind {
            case .conv2D, .depthwiseConv2D, .dense, .add: true
            default: false
            }
        }

        public init(
            name: String, kind: Kind, input: Int?, secondInput: Int? = nil, outputShape: [Int], weight: Tensor? = nil,
            bias: Tensor? = nil, activation: Activation
        ) {
            self.name = name
            self.kind = kind
            self.input = input
            self.secondInput = secondInput
            self.outputShape = outputShape
            self.weight = weight
            self.bias = bias
            self.activation = activation
        }
    }

    /// A head: the name, what its outputs mean and one label per output (docs/quantization.md "Heads").
    public struct Head: Sendable {
        public var name: String
        /// How the runtime turns the outputs into results: `.binary`, `.multiLabel` (sigmoids),
        /// `.regression`, `.raw` (values), `.softmax` (classes, at least 2), `.expectedValue`
        /// (bins, at least 2, with `values`).
        public var kind: HeadKind
        public var labels: [String]
        /// The bins' values of an `.expectedValue` head (one per label, finite; e.g. the ages
        /// 0...80 of 81 bins); empty for every other kind.
        public var values: [Float]

        /// A head of `kind` with one output per label (and per bin value, for `.expectedValue`);
        /// `FloatGraph.init(inputShape:inputScale:nodes:heads:)` checks that they fit.
        public init(name: String, kind: HeadKind, labels: [String], values: [Float] = []) {
            self.name = name
            self.kind = kind
            self.labels = labels
            self.values = values
        }

        /// A bin's default label: its value, without a trailing `.0` (`0.25`, `1`, `80`).
        public static func binLabel(_ value: Float) -> String {
            value == value.rounded() && value.magnitude < 1e9 ? String(Int(value)) : String(value)
        }

        /// Why the head cannot be exported, or nil.
        var problem: String? {
            let classes = kind == .softmax || kind == .expectedValue
            if labels.isEmpty { return "a head has at least one output" }
            if kind == .binary && labels.count != 1 { return "a binary head has one output" }
            if classes && labels.count < 2 { return "a softmax or expected-value head has at least 2 outputs" }
            if kind != .expectedValue { return values.isEmpty ? nil : "only an expected-value head has bin values" }
            guard values.count == labels.count, values.allSatisfy({ $0.magnitude <= BlobFormat.maximumBinValue }) else {
                return "an expected-value head needs one finite value (at most \(BlobFormat.maximumBinValue) in magnitude) per output"
            }
            return nil
        }
    }

    /// The trainer's description the graph came from; nil for a graph made from nodes.
    public let architecture: Architecture?
    /// Input image `[H, W, C]`.
    public let inputShape: [Int]
    /// Real value of input integer `q = pixel - 128` is `inputScale * q`.
    public let inputScale: Float
    public var nodes: [Node]
    public let heads: [Head]

    /// The graph of `network`. Throws for non-finite parameters, an input normalisation other than
    /// the contract's, or a layer the runtime cannot run.
    public init(_ network: Network, normalization: InputNormalization) throws(QuantizerError) {
        guard normalization.offset == 128, normalization.scale > 0, normalization.scale.isFinite else {
            throw .unsupportedInputNormalization(offset: normalization.offset, scale: normalization.scale)
        }
        let a = network.architecture
        architecture = a
        inputShape = [a.inputHeight, a.inputWidth, a.inputChannels]
        guard a.inputChannels == 1 || a.inputChannels == 3 else {
            throw .unsupportedLayer(layer: "input", reason: "the runtime takes gray8 or rgb8 images, not \(a.inputChannels) channels")
        }
        inputScale = 1 / normalization.scale
        var nodes: [Node] = []

        func shape(of input: Int?) -> [Int] { input.map { nodes[$0].outputShape } ?? [a.inputHeight, a.inputWidth, a.inputChannels] }
        func checkFinite(_ t: Tensor, _ name: String) throws(QuantizerError) {
            if let i = t.values.firstIndex(where: { !$0.isFinite }) {
                throw .nonFiniteParameter(parameter: name, index: i, value: t.values[i])
            }
        }
        func append(_ specs: [LayerSpec], _ layers: [any Layer], prefix: String, from start: Int?,
                    headIndex: Int?, fold: (scale: Float, offset: Float)) throws(QuantizerError) -> Int? {
            var current = start
            for (i, spec) in specs.enumerated() {
                let name = "\(prefix).\(i)"
                let inShape = shape(of: current)
                var node = Node(name: name, kind: .globalAveragePool, input: current, outputShape: [], activation: .none)
                switch spec.kind {
                case .dropout:
                    continue
                case .conv2d:
                    let layer = layers[i] as! Conv2DLayer
                    try checkFinite(layer.weight.value, name + ".weight")
                    try checkFinite(layer.bias.value, name + ".bias")
                    node.kind = .conv2D(layer.geometry)
                    node.weight = layer.weight.value
                    node.bias = layer.bias.value
                    node.activation = layer.activation
                    node.outputShape = [layer.geometry.outputHeight, layer.geometry.outputWidth, layer.geometry.outputChannels]
                case .maxPool2x2, .averagePool2x2:
                    node.kind = spec.kind == .maxPool2x2 ? .maxPool(size: 2, stride: 2) : .averagePool(size: 2, stride: 2)
                    node.outputShape = [inShape[0] / 2, inShape[1] / 2, inShape[2]]
                case .globalAveragePool:
                    node.kind = .globalAveragePool
                    node.outputShape = [1, 1, inShape[2]]
                case .dense:
                    let layer = layers[i] as! DenseLayer
                    let isLast = headIndex != nil && i == specs.count - 1
                    node.kind = isLast ? .headOutput(head: headIndex!) : .dense
                    var weight = layer.weight.value, bias = layer.bias.value
                    try checkFinite(weight, name + ".weight")
                    try checkFinite(bias, name + ".bias")
                    if isLast && (fold.scale != 1 || fold.offset != 0) {
                        weight.values = weight.values.map { $0 * fold.scale }
                        bias.values = bias.values.map { $0 * fold.scale + fold.offset }
                    }
                    node.weight = weight
                    node.bias = bias
                    node.activation = layer.activation
                    if isLast && layer.activation != .none {
                        throw .unsupportedLayer(layer: name, reason: "a head's output layer must have no activation")
                    }
                    node.outputShape = [1, 1, weight.shape[0]]
                }
                nodes.append(node)
                current = nodes.count - 1
            }
            return current
        }

        let features = try append(a.encoder, network.encoder.layers, prefix: "encoder", from: nil, headIndex: nil, fold: (1, 0))
        var heads: [Head] = []
        for (h, spec) in a.heads.enumerated() {
            let kind: HeadKind = switch spec.task {
            case .binary: spec.labels.count == 1 ? .binary : .multiLabel
            case .regression: .regression
            case .expectedValue: .expectedValue  // outputs are the bins' logits, labelled by their values
            }
            let bins = spec.bins ?? []
            heads.append(Head(name: spec.name, kind: kind, labels: kind == .expectedValue ? bins.map(Head.binLabel) : spec.labels,
                              values: bins))
            let fold = spec.task == .regression ? (spec.outputScale, spec.outputOffset) : (Float(1), Float(0))
            _ = try append(spec.hidden + [.dense(spec.outputCount)], network.heads[h].layers, prefix: "heads.\(spec.name)",
                           from: features, headIndex: h, fold: fold)
        }
        self.nodes = nodes
        self.heads = heads
    }

    /// A graph made from its nodes, e.g. with residual adds, which the trainer's architectures
    /// cannot describe. Every node reads earlier nodes only, an add's two operands and output have
    /// one shape, the heads' outputs are the `headOutput` nodes in order.
    public init(inputShape: [Int], inputScale: Float, nodes: [Node], heads: [Head]) throws(QuantizerError) {
        for (i, node) in nodes.enumerated() {
            let shapes = [node.input, node.secondInput].map { $0.map { nodes[$0].outputShape } ?? inputShape }
            var fits = true
            switch node.kind {
            case .pad(let top, let left, let channelsBefore):
                fits = zip([top, left, channelsBefore], zip(shapes[0], node.outputShape)).allSatisfy { $0 >= 0 && $0 + $1.0 <= $1.1 }
            case .maxPool(let size, let stride), .averagePool(let size, let stride):
                fits = size >= 1 && stride >= 1 && shapes[0][0] >= size && shapes[0][1] >= size
                    && node.outputShape == [(shapes[0][0] - size) / stride + 1, (shapes[0][1] - size) / stride + 1, shapes[0][2]]
            case .conv2D(let g), .depthwiseConv2D(let g):
                fits = [g.inputHeight, g.inputWidth, g.inputChannels] == shapes[0]
                    && node.outputShape == [g.outputHeight, g.outputWidth, g.outputChannels]
                if case .depthwiseConv2D = node.kind {
                    fits = fits && g.inputChannels == g.outputChannels && g.kernelHeight == 3 && g.kernelWidth == 3
                }
            case .headOutput:
                // Fully connected over the whole input, or a 1x1 convolution at each of its places.
                let (h, w, c) = (shapes[0][0], shapes[0][1], shapes[0][2])
                let out = node.outputShape.last ?? 0
                fits = node.weight?.shape == (node.isPerPlaceHead ? [out, c] : [out, h * w * c])
                    && (node.outputShape == [1, 1, out] || node.outputShape == [h, w, out])
            default:
                break
            }
            guard fits, (node.input ?? -1) < i, (node.secondInput ?? -1) < i,
                  node.kind != .add || (shapes[0] == node.outputShape && shapes[1] == node.outputShape),
                  (node.kind == .add) == (node.secondInput != nil)
            else { throw .unsupportedLayer(layer: node.name, reason: "reads a later node, an add of two shapes, or a shape that does not follow from its input") }
        }
        for head in heads {
            if let problem = head.problem { throw .unsupportedLayer(layer: "heads." + head.name, reason: problem) }
        }
        architecture = nil
        self.inputShape = inputShape
        self.inputScale = inputScale
        self.nodes = nodes
        self.heads = heads
    }

    /// Number of int32 head outputs (all heads' labels).
    public var outputCount: Int { heads.reduce(0) { $0 + $1.labels.count } }

    /// Normalised float input `[count, H, W, C]` from 8-bit pixels (`(pixel - 128) * inputScale`).
    public func normalize(_ pixels: [UInt8], count: Int) -> Tensor {
        Tensor(shape: [count] + inputShape, values: pixels.map { (Float($0) - 128) * inputScale })
    }

    /// Every node's output for a batch of normalised images; head outputs are real values.
    public func forward(_ input: Tensor) -> [Tensor] {
        var outputs: [Tensor] = []
        var columns: [Float] = []
        var switches: [Int] = []
        for node in nodes {
            let x = node.input.map { outputs[$0] } ?? input
            let y: Tensor
            switch node.kind {
            case .conv2D(let g):
                y = conv2DForward(x, weight: node.weight!, bias: node.bias!, geometry: g, activation: node.activation, columns: &columns)
            case .depthwiseConv2D(let g):
                y = depthwiseForward(x, weight: node.weight!.values, bias: node.bias!.values, geometry: g, activation: node.activation)
            case .maxPool(2, 2): y = maxPool2x2Forward(x, switches: &switches)
            case .averagePool(2, 2): y = averagePool2x2Forward(x)
            case .maxPool(let size, let stride), .averagePool(let size, let stride):
                y = poolForward(x, size: size, stride: stride, isMax: node.kind == .maxPool(size: size, stride: stride), outputShape: node.outputShape)
            case .globalAveragePool: y = Tensor(shape: [x.batch, 1, 1, x.shape[3]], values: globalAveragePoolForward(x).values)
            case .dense, .headOutput:
                // A per-place head is the dense layer at every place: the places as a batch.
                let places = node.isPerPlaceHead ? Tensor(shape: [x.values.count / x.shape[3], 1, 1, x.shape[3]], values: x.values) : x
                y = Tensor(shape: [x.batch] + node.outputShape,
                           values: denseForward(places, weight: node.weight!, bias: node.bias!, activation: node.activation).values)
            case .pad(let top, let left, let channelsBefore):
                let (h, w, c) = (x.shape[1], x.shape[2], x.shape[3])
                let (oh, ow, oc) = (node.outputShape[0], node.outputShape[1], node.outputShape[2])
                var values = [Float](repeating: 0, count: x.batch * oh * ow * oc)
                for n in 0..<x.batch {
                    for iy in 0..<h {
                        for ix in 0..<w {
                            for ch in 0..<c {
                                values[((n * oh + iy + top) * ow + ix + left) * oc + ch + channelsBefore] = x.values[((n * h + iy) * w + ix) * c + ch]
                            }
                        }
                    }
                }
                y = Tensor(shape: [x.batch, oh, ow, oc], values: values)
            case .add:
                let other = node.secondInput.map { outputs[$0] } ?? input
                let limit: Float = node.activation == .relu6 ? 6 : .infinity
                let rectify = node.activation != .none
                y = Tensor(shape: x.shape, values: zip(x.values, other.values).map { a, b in
                    rectify ? min(max(a + b, 0), limit) : a + b
                })
            }
            outputs.append(y)
        }
        return outputs
    }

    /// A depthwise convolution (depth multiplier 1) with the geometry's zero padding; `weight` `[C, kh, kw, 1]`.
    func depthwiseForward(_ x: Tensor, weight: [Float], bias: [Float], geometry g: Conv2DGeometry, activation: Activation) -> Tensor {
        let (h, w, c) = (x.shape[1], x.shape[2], x.shape[3])
        let (oh, ow) = (g.outputHeight, g.outputWidth)
        var values = [Float](repeating: 0, count: x.batch * oh * ow * c)
        for n in 0..<x.batch {
            for oy in 0..<oh {
                for ox in 0..<ow {
                    for ch in 0..<c {
                        var sum = bias[ch]
                        for r in 0..<g.kernelHeight {
                            let iy = oy * g.stride - g.padTop + r
                            guard iy >= 0 && iy < h else { continue }
                            for s in 0..<g.kernelWidth {
                                let ix = ox * g.stride - g.padLeft + s
                                guard ix >= 0 && ix < w else { continue }
                                sum += x.values[((n * h + iy) * w + ix) * c + ch] * weight[(ch * g.kernelHeight + r) * g.kernelWidth + s]
                            }
                        }
                        switch activation {
                        case .none: break
                        case .relu: sum = max(sum, 0)
                        case .relu6: sum = min(max(sum, 0), 6)
                        }
                        values[((n * oh + oy) * ow + ox) * c + ch] = sum
                    }
                }
            }
        }
        return Tensor(shape: [x.batch, oh, ow, c], values: values)
    }

    /// A `size` x `size`/`stride` max or average pool without padding (the trainer's 2x2/2 pools
    /// are `maxPool2x2Forward` and `averagePool2x2Forward`).
    func poolForward(_ x: Tensor, size: Int, stride: Int, isMax: Bool, outputShape: [Int]) -> Tensor {
        let (h, w, c) = (x.shape[1], x.shape[2], x.shape[3])
        let (oh, ow) = (outputShape[0], outputShape[1])
        var values = [Float](repeating: 0, count: x.batch * oh * ow * c)
        for n in 0..<x.batch {
            for oy in 0..<oh {
                for ox in 0..<ow {
                    for ch in 0..<c {
                        var v: Float = isMax ? -.infinity : 0
                        for r in 0..<size {
                            for s in 0..<size {
                                let cell = x.values[((n * h + oy * stride + r) * w + ox * stride + s) * c + ch]
                                v = isMax ? max(v, cell) : v + cell
                            }
                        }
                        values[((n * oh + oy) * ow + ox) * c + ch] = isMax ? v : v / Float(size * size)
                    }
                }
            }
        }
        return Tensor(shape: [x.batch, oh, ow, c], values: values)
    }

    /// The real head outputs per image (`outputCount` values each, heads in order) from `forward`'s result.
    public func headOutputs(_ outputs: [Tensor], batch: Int) -> [[Float]] {
        let headNodes = nodes.indices.filter { if case .headOutput = nodes[$0].kind { true } else { false } }
        return (0..<batch).map { n in
            headNodes.flatMap { i -> [Float] in
                let t = outputs[i], per = t.itemCount
                return Array(t.values[(n * per)..<((n + 1) * per)])
            }
        }
    }
}

import FacelyzrRuntime

/// One layer of a network description (JSON-coded; the fields a kind does not use stay absent).
public struct LayerSpec: Codable, Sendable, Equatable {
    /// What the layer computes.
    public enum Kind: String, Codable, Sendable {
        /// Convolution: `filters`, `kernel` (1-5, square), `stride` (1 or 2), `padding`, `activation`.
        case conv2d
        /// 2x2 stride-2 max pool.
        case maxPool2x2
        /// 2x2 stride-2 average pool.
        case averagePool2x2
        /// `[N, H, W, C]` to `[N, C]`.
        case globalAveragePool
        /// Fully connected: `units`, `activation`; flattens its input.
        case dense
        /// Inverted dropout with `rate` (training only; exports as nothing).
        case dropout
    }

    /// TensorFlow padding names.
    public enum PaddingName: String, Codable, Sendable {
        case same, valid
        var runtimeValue: Padding { self == .same ? .same : .valid }
    }

    public var kind: Kind
    public var filters: Int?
    public var kernel: Int?
    public var stride: Int?
    public var padding: PaddingName?
    public var units: Int?
    public var activation: Activation?
    public var rate: Float?

    public init(kind: Kind, filters: Int? = nil, kernel: Int? = nil, stride: Int? = nil, padding: PaddingName? = nil,
                units: Int? = nil, activation: Activation? = nil, rate: Float? = nil) {
        self.kind = kind
        self.filters = filters
        self.kernel = kernel
        self.stride = stride
        self.padding = padding
        self.units = units
        self.activation = activation
        self.rate = rate
    }

    /// A convolution (ReLU and same padding unless told otherwise).
    public static func conv2d(_ filters: Int, kernel: Int = 3, stride: Int = 1, padding: PaddingName = .same,
                              activation: Activation = .relu) -> LayerSpec {
        LayerSpec(kind: .conv2d, filters: filters, kernel: kernel, stride: stride, padding: padding, activation: activation)
    }
    /// A 2x2 stride-2 max pool.
    public static let maxPool2x2 = LayerSpec(kind: .maxPool2x2)
    /// A 2x2 stride-2 average pool.
    public static let averagePool2x2 = LayerSpec(kind: .averagePool2x2)
    /// A global average pool.
    public static let globalAveragePool = LayerSpec(kind: .globalAveragePool)
    /// A fully connected layer (no activation unless told).
    public static func dense(_ units: Int, activation: Activation = .none) -> LayerSpec {
        LayerSpec(kind: .dense, units: units, activation: activation)
    }
    /// Dropout with `rate`.
    public static func dropout(_ rate: Float) -> LayerSpec { LayerSpec(kind: .dropout, rate: rate) }
}

/// A prediction head on the encoder's features.
public struct HeadSpec: Codable, Sendable, Equatable {
    /// What the head predicts, which fixes its loss.
    public enum Task: String, Codable, Sendable {
        /// One logit per label, binary cross-entropy (gender, attributes).
        case binary
        /// One value per label, Huber loss (age).
        case regression
        /// One label (e.g. `age`) predicted as the expected value `sum p_i * bins[i]` of a softmax
        /// over `bins` (one output each); loss: cross-entropy against Gaussian-smoothed bin targets
        /// of width `binSigma`, plus the expected value's absolute error over `binSigma`
        /// (docs/training.md "Losses"). Exports as an expected-value head.
        case expectedValue
    }

    /// `gender`, `age`, `attributes`, ...
    public var name: String
    public var task: Task
    /// Hidden layers (dense, dropout); the output layer (`outputCount` units, no activation) follows.
    public var hidden: [LayerSpec]
    /// One name per output (gender: `["male"]`, 1 = male; age: `["age"]`; attributes: their names).
    public var labels: [String]
    /// A regression output is `raw * outputScale + outputOffset` (age in years from a unit-scale output).
    public var outputScale: Float
    public var outputOffset: Float
    /// An expected-value head's bin values, in the label's unit (years), one output each; absent otherwise.
    public var bins: [Float]?
    /// An expected-value head's target width in the label's unit: the Gaussian's standard deviation
    /// over the bins, and the unit of the expected value's absolute error in the loss.
    public var binSigma: Float?
    /// What the head's loss is multiplied by in the sum of the heads' losses (absent: 1). A
    /// binary head's loss is a mean over its labels, so a weight of `labels.count` makes each
    /// label weigh as much as a one-label head's.
    public var lossWeight: Float?

    public init(name: String, task: Task, hidden: [LayerSpec], labels: [String], outputScale: Float = 1, outputOffset: Float = 0,
                bins: [Float]? = nil, binSigma: Float? = nil, lossWeight: Float? = nil) {
        self.name = name
        self.task = task
        self.hidden = hidden
        self.labels = labels
        self.outputScale = outputScale
        self.outputOffset = outputOffset
        self.bins = bins
        self.binSigma = binSigma
        self.lossWeight = lossWeight
    }

    /// Outputs of the head's last layer: one per bin for an expected-value head, else one per label.
    public var outputCount: Int { task == .expectedValue ? bins?.count ?? 0 : labels.count }

    /// The head's predictions in its labels' units (`[N, labels.count]`) from its raw outputs
    /// (`[N, outputCount]`, `Network.forward`): logits as they are (binary), `raw * outputScale +
    /// outputOffset` (regression), the expected bin value (expected value).
    public func predictions(_ outputs: Tensor) -> Tensor {
        switch task {
        case .binary: outputs
        case .regression: Tensor(shape: outputs.shape, values: outputs.values.map { $0 * outputScale + outputOffset })
        case .expectedValue: Tensor(shape: [outputs.shape[0], 1], values: expectedValues(outputs, bins: bins ?? []))
        }
    }
}

/// Why an architecture cannot be built or exported.
public struct ArchitectureError: Error, Equatable, CustomStringConvertible {
    /// `encoder[3]`, `heads.age.hidden[0]`, ...
    public var layer: String
    public var reason: String

    public var description: String { "architecture \(layer): \(reason)" }
}

/// A network description: input size, encoder, heads. JSON-coded into every checkpoint.
public struct Architecture: Codable, Sendable, Equatable {
    public var inputHeight: Int
    public var inputWidth: Int
    public var inputChannels: Int
    public var encoder: [LayerSpec]
    public var heads: [HeadSpec]

    public init(inputHeight: Int, inputWidth: Int, inputChannels: Int, encoder: [LayerSpec], heads: [HeadSpec]) {
        self.inputHeight = inputHeight
        self.inputWidth = inputWidth
        self.inputChannels = inputChannels
        self.encoder = encoder
        self.heads = heads
    }

    /// The default network for the runtime's budget (64x64x3 input, at most 20 M MACs and 256 KB of
    /// int8 weights plus int32 biases; `ArchitectureTests` computes its figures). The encoder is the
    /// reference shape of docs (conv3x3 16, 32, 64, 64, each followed by a 2x2 max pool) plus a conv3x3 128
    /// on 4x4 and a global average pool: 128 features. Each head has one hidden dense layer of 64.
    /// Without attribute names there is no attribute head.
    public static func standard(attributeNames: [String]) -> Architecture {
        var standard = Architecture(
            inputHeight: 64, inputWidth: 64, inputChannels: 3,
            encoder: [
                .conv2d(16), .maxPool2x2,
                .conv2d(32), .maxPool2x2,
                .conv2d(64), .maxPool2x2,
                .conv2d(64), .maxPool2x2,
                .conv2d(128), .globalAveragePool,
            ],
            heads: [
                HeadSpec(name: "gender", task: .binary, hidden: [.dense(64, activation: .relu), .dropout(0.2)], labels: ["male"]),
                HeadSpec(name: "age", task: .regression, hidden: [.dense(64, activation: .relu)], labels: ["age"],
                         outputScale: 20, outputOffset: 35),
                HeadSpec(name: "attributes", task: .binary, hidden: [.dense(64, activation: .relu), .dropout(0.2)],
                         labels: attributeNames),
            ])
        if attributeNames.isEmpty { standard.heads.removeLast() }
        return standard
    }
}

/// What a network costs per image once exported.
public struct ArchitectureCost: Sendable, Equatable {
    /// Multiply-accumulates of convolutions and dense layers per image (pools not counted).
    public var multiplyAccumulates: Int
    /// Weights (int8 once quantized).
    public var weightCount: Int
    /// Biases (int32 once quantized).
    public var biasCount: Int

    /// Bytes of int8 weights and int32 biases.
    public var quantizedParameterBytes: Int { weightCount + 4 * biasCount }
}

/// The shape of an activation without its batch dimension: `[H, W, C]` or `[features]`.
typealias ItemShape = [Int]

/// Walks a list of layers from `shape`, checking each against the runtime's ops; `body` sees each
/// valid layer with its input shape. Returns the output shape.
func walk(_ layers: [LayerSpec], from shape: ItemShape, path: String,
          _ body: (Int, LayerSpec, ItemShape) throws(ArchitectureError) -> Void = { _, _, _ in }
) throws(ArchitectureError) -> ItemShape {
    var shape = shape
    for (i, layer) in layers.enumerated() {
        func fail(_ reason: String) -> ArchitectureError { ArchitectureError(layer: "\(path)[\(i)]", reason: reason) }
        let input = shape
        switch layer.kind {
        case .conv2d:
            guard shape.count == 3 else { throw fail("a convolution needs an image input, got \(shape)") }
            guard let filters = layer.filters, filters > 0 else { throw fail("conv2d needs filters > 0") }
            guard let kernel = layer.kernel, (1...5).contains(kernel) else { throw fail("conv2d kernel must be 1 to 5") }
            let stride = layer.stride ?? 1
            guard stride == 1 || stride == 2 else { throw fail("conv2d stride must be 1 or 2") }
            let g = Conv2DGeometry(inputHeight: shape[0], inputWidth: shape[1], inputChannels: shape[2], outputChannels: filters,
                                   kernelHeight: kernel, kernelWidth: kernel, stride: stride,
                                   padding: (layer.padding ?? .same).runtimeValue)
            guard g.outputHeight > 0, g.outputWidth > 0 else { throw fail("conv2d output would be empty") }
            shape = [g.outputHeight, g.outputWidth, filters]
        case .maxPool2x2, .averagePool2x2:
            guard shape.count == 3, shape[0] >= 2, shape[1] >= 2 else { throw fail("a 2x2 pool needs an image of at least 2x2, got \(shape)") }
            shape = [shape[0] / 2, shape[1] / 2, shape[2]]
        case .globalAveragePool:
            guard shape.count == 3 else { throw fail("global average pool needs an image input, got \(shape)") }
            shape = [shape[2]]
        case .dense:
            guard let units = layer.units, units > 0 else { throw fail("dense needs units > 0") }
            shape = [units]
        case .dropout:
            guard let rate = layer.rate, rate >= 0, rate < 1 else { throw fail("dropout rate must be in [0, 1)") }
        }
        try body(i, layer, input)
    }
    return shape
}

extension Architecture {
    /// The input shape per image, `[H, W, C]`.
    func inputShape() throws(ArchitectureError) -> ItemShape {
        guard inputHeight > 0, inputWidth > 0, inputChannels > 0 else {
            throw ArchitectureError(layer: "input", reason: "input size must be positive")
        }
        return [inputHeight, inputWidth, inputChannels]
    }

    /// The encoder's output shape per image (the features the heads read).
    public func featureShape() throws(ArchitectureError) -> [Int] {
        try walk(encoder, from: inputShape(), path: "encoder")
    }

    /// The heads' hidden layers followed by their output layer.
    func headLayers(_ head: HeadSpec) -> [LayerSpec] { head.hidden + [.dense(head.outputCount)] }

    /// Validates the architecture and sums its exported cost.
    public func cost() throws(ArchitectureError) -> ArchitectureCost {
        var cost = ArchitectureCost(multiplyAccumulates: 0, weightCount: 0, biasCount: 0)
        func add(_ index: Int, _ layer: LayerSpec, _ shape: ItemShape) {
            switch layer.kind {
            case .conv2d:
                let k = layer.kernel!, filters = layer.filters!
                let g = Conv2DGeometry(inputHeight: shape[0], inputWidth: shape[1], inputChannels: shape[2], outputChannels: filters,
                                       kernelHeight: k, kernelWidth: k, stride: layer.stride ?? 1,
                                       padding: (layer.padding ?? .same).runtimeValue)
                cost.multiplyAccumulates += g.multiplyAccumulates
                cost.weightCount += filters * g.patchLength
                cost.biasCount += filters
            case .dense:
                let inputs = shape.reduce(1, *)
                cost.multiplyAccumulates += inputs * layer.units!
                cost.weightCount += inputs * layer.units!
                cost.biasCount += layer.units!
            default:
                break
            }
        }
        let features = try walk(encoder, from: inputShape(), path: "encoder") { i, layer, shape throws(ArchitectureError) in
            add(i, layer, shape)
        }
        var names = Set<String>()
        for head in heads {
            guard !head.labels.isEmpty else { throw ArchitectureError(layer: "heads.\(head.name)", reason: "a head needs labels") }
            guard names.insert(head.name).inserted else { throw ArchitectureError(layer: "heads.\(head.name)", reason: "duplicate head name") }
            if head.task == .expectedValue {
                guard head.labels.count == 1, let bins = head.bins, bins.count >= 2, bins.allSatisfy(\.isFinite),
                      let sigma = head.binSigma, sigma > 0, sigma.isFinite else {
                    throw ArchitectureError(layer: "heads.\(head.name)", reason: "an expected-value head needs one label, at least 2 finite bins and binSigma > 0")
                }
            } else if head.bins != nil || head.binSigma != nil {
                throw ArchitectureError(layer: "heads.\(head.name)", reason: "only an expected-value head has bins")
            }
            if let w = head.lossWeight, !(w > 0 && w.isFinite) {
                throw ArchitectureError(layer: "heads.\(head.name)", reason: "lossWeight must be positive")
            }
            guard head.hidden.allSatisfy({ $0.kind == .dense || $0.kind == .dropout }) else {
                throw ArchitectureError(layer: "heads.\(head.name)", reason: "hidden layers must be dense or dropout")
            }
            _ = try walk(headLayers(head), from: features, path: "heads.\(head.name)") { i, layer, shape throws(ArchitectureError) in
                add(i, layer, shape)
            }
        }
        return cost
    }
}

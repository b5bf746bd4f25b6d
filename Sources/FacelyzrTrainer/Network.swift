import FacelyzrRandom
import FacelyzrRuntime

/// A network built from an `Architecture`: the encoder and one layer stack per head.
/// Parameters are named `encoder.<index>.weight` and `heads.<name>.<index>.weight` (and `.bias`),
/// the indices being positions in the architecture's lists (a head's output layer comes last).
public struct Network: ParameterContainer, Sendable {
    public let architecture: Architecture
    public var encoder: Sequential
    public var heads: [Sequential]

    /// A network with fresh random weights (He or LeCun normal, zero biases) drawn from `generator`.
    public init(_ architecture: Architecture, generator: inout SplitMix64) throws(ArchitectureError) {
        _ = try architecture.cost()
        self.architecture = architecture
        func build(_ specs: [LayerSpec], from shape: ItemShape, path: String) throws(ArchitectureError) -> Sequential {
            var layers: [any Layer] = []
            _ = try walk(specs, from: shape, path: path) { _, spec, shape throws(ArchitectureError) in
                layers.append(makeLayer(spec, inputShape: shape, generator: &generator))
            }
            return Sequential(layers)
        }
        let input = try architecture.inputShape()
        encoder = try build(architecture.encoder, from: input, path: "encoder")
        let features = try architecture.featureShape()
        var heads: [Sequential] = []
        for head in architecture.heads {
            heads.append(try build(architecture.headLayers(head), from: features, path: "heads.\(head.name)"))
        }
        self.heads = heads
    }

    public mutating func visitParameters(_ body: (String, inout Parameter) -> Void) {
        encoder.visitParameters { name, p in body("encoder.\(name)", &p) }
        for i in heads.indices {
            let name = architecture.heads[i].name
            heads[i].visitParameters { local, p in body("heads.\(name).\(local)", &p) }
        }
    }

    /// The raw outputs of every head (logits, or unit-scale regression values), in the
    /// architecture's head order, for a batch of normalised images.
    public mutating func forward(_ input: Tensor, training: Bool, generator: inout SplitMix64) -> [Tensor] {
        let features = encoder.forward(input, training: training, generator: &generator)
        return heads.indices.map { heads[$0].forward(features, training: training, generator: &generator) }
    }

    /// Backward from each head's output gradient; the encoder receives their sum unless
    /// `trainEncoder` is false (heads trained on frozen features).
    public mutating func backward(_ outputGradients: [Tensor], trainEncoder: Bool) {
        var featureGradient: Tensor?
        for i in heads.indices {
            guard let g = heads[i].backward(outputGradients[i], needsInputGradient: trainEncoder) else { continue }
            if var sum = featureGradient {
                for j in sum.values.indices { sum.values[j] += g.values[j] }
                featureGradient = sum
            } else {
                featureGradient = g
            }
        }
        if trainEncoder, let g = featureGradient { _ = encoder.backward(g, needsInputGradient: false) }
    }
}

/// A layer for `spec` on inputs of `inputShape` (already validated by `walk`).
func makeLayer(_ spec: LayerSpec, inputShape: ItemShape, generator: inout SplitMix64) -> any Layer {
    switch spec.kind {
    case .conv2d:
        let g = Conv2DGeometry(inputHeight: inputShape[0], inputWidth: inputShape[1], inputChannels: inputShape[2],
                               outputChannels: spec.filters!, kernelHeight: spec.kernel!, kernelWidth: spec.kernel!,
                               stride: spec.stride ?? 1, padding: (spec.padding ?? .same).runtimeValue)
        return Conv2DLayer(geometry: g, activation: spec.activation ?? .none, generator: &generator)
    case .maxPool2x2: return MaxPool2x2Layer()
    case .averagePool2x2: return AveragePool2x2Layer()
    case .globalAveragePool: return GlobalAveragePoolLayer()
    case .dense:
        return DenseLayer(inputCount: inputShape.reduce(1, *), outputCount: spec.units!, activation: spec.activation ?? .none,
                          generator: &generator)
    case .dropout: return DropoutLayer(rate: spec.rate!)
    }
}

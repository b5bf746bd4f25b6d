import FacelyzrRandom
import FacelyzrRuntime

/// A learnable tensor with the gradient accumulated for it since it was last zeroed.
public struct Parameter: Sendable, Equatable {
    public var value: Tensor
    public var gradient: Tensor

    public init(_ value: Tensor) {
        self.value = value
        gradient = Tensor(zeros: value.shape)
    }
}

/// Something with named parameters (a layer, a network): what an optimizer updates and a
/// checkpoint stores.
public protocol ParameterContainer {
    /// Visits each parameter with its name (`weight`, `bias` in a layer; prefixed by its position
    /// in containers, e.g. `encoder.0.weight`).
    mutating func visitParameters(_ body: (String, inout Parameter) -> Void)
}

extension ParameterContainer {
    /// Sets every parameter's gradient to zero (before accumulating a new batch).
    public mutating func zeroGradients() {
        visitParameters { _, p in p.gradient.zero() }
    }
}

/// One layer of a network: a forward that keeps what its backward needs, and that backward.
public protocol Layer: ParameterContainer, Sendable {
    /// Computes the output; with `training`, keeps what `backward` needs (and dropout drops).
    mutating func forward(_ input: Tensor, training: Bool, generator: inout SplitMix64) -> Tensor
    /// Adds parameter gradients for the last training forward; returns the input gradient when asked.
    mutating func backward(_ outputGradient: Tensor, needsInputGradient: Bool) -> Tensor?
}

extension Layer {
    /// A layer without parameters visits nothing.
    public mutating func visitParameters(_ body: (String, inout Parameter) -> Void) {}
}

/// Standard deviation of the initial weights for `fanIn` inputs: He for ReLU layers, LeCun otherwise.
func initialStandardDeviation(fanIn: Int, activation: Activation) -> Float {
    (Float(activation == .none ? 1 : 2) / Float(fanIn)).squareRoot()
}

/// 2-D convolution with fused activation (OHWI weights, TensorFlow padding).
public struct Conv2DLayer: Layer {
    public var geometry: Conv2DGeometry
    public var activation: Activation
    public var weight: Parameter
    public var bias: Parameter
    private var columns: [Float] = []
    private var output = Tensor(zeros: [0])

    public init(geometry: Conv2DGeometry, activation: Activation, generator: inout SplitMix64) {
        self.geometry = geometry
        self.activation = activation
        let std = initialStandardDeviation(fanIn: geometry.patchLength, activation: activation)
        weight = Parameter(Tensor(normal: geometry.weightShape, standardDeviation: std, generator: &generator))
        bias = Parameter(Tensor(zeros: [geometry.outputChannels]))
    }

    public mutating func forward(_ input: Tensor, training: Bool, generator: inout SplitMix64) -> Tensor {
        let y = conv2DForward(input, weight: weight.value, bias: bias.value, geometry: geometry,
                              activation: activation, columns: &columns)
        if training { output = y } else { columns = [] }
        return y
    }

    public mutating func backward(_ outputGradient: Tensor, needsInputGradient: Bool) -> Tensor? {
        conv2DBackward(outputGradient, output: output, columns: columns, weight: weight.value, geometry: geometry,
                       activation: activation, weightGradient: &weight.gradient, biasGradient: &bias.gradient,
                       needsInputGradient: needsInputGradient)
    }

    public mutating func visitParameters(_ body: (String, inout Parameter) -> Void) {
        body("weight", &weight)
        body("bias", &bias)
    }
}

/// Fully connected layer with fused activation (weights `[out, in]`).
public struct DenseLayer: Layer {
    public var activation: Activation
    public var weight: Parameter
    public var bias: Parameter
    private var input = Tensor(zeros: [0])
    private var output = Tensor(zeros: [0])

    public init(inputCount: Int, outputCount: Int, activation: Activation, generator: inout SplitMix64) {
        self.activation = activation
        let std = initialStandardDeviation(fanIn: inputCount, activation: activation)
        weight = Parameter(Tensor(normal: [outputCount, inputCount], standardDeviation: std, generator: &generator))
        bias = Parameter(Tensor(zeros: [outputCount]))
    }

    public mutating func forward(_ input: Tensor, training: Bool, generator: inout SplitMix64) -> Tensor {
        let y = denseForward(input, weight: weight.value, bias: bias.value, activation: activation)
        if training { self.input = input; output = y }
        return y
    }

    public mutating func backward(_ outputGradient: Tensor, needsInputGradient: Bool) -> Tensor? {
        denseBackward(outputGradient, output: output, input: input, weight: weight.value, activation: activation,
                      weightGradient: &weight.gradient, biasGradient: &bias.gradient, needsInputGradient: needsInputGradient)
    }

    public mutating func visitParameters(_ body: (String, inout Parameter) -> Void) {
        body("weight", &weight)
        body("bias", &bias)
    }
}

/// 2x2 stride-2 max pool; keeps its switches so a decoder can unpool.
public struct MaxPool2x2Layer: Layer {
    /// Where each output's maximum came from, for the last forward (see `maxPool2x2Forward`).
    public private(set) var switches: [Int] = []
    /// The last forward's input shape.
    public private(set) var inputShape: [Int] = []

    public init() {}

    public mutating func forward(_ input: Tensor, training: Bool, generator: inout SplitMix64) -> Tensor {
        inputShape = input.shape
        return maxPool2x2Forward(input, switches: &switches)
    }

    public mutating func backward(_ outputGradient: Tensor, needsInputGradient: Bool) -> Tensor? {
        needsInputGradient ? maxPool2x2Backward(outputGradient, switches: switches, inputShape: inputShape) : nil
    }
}

/// 2x2 stride-2 average pool.
public struct AveragePool2x2Layer: Layer {
    private var inputShape: [Int] = []

    public init() {}

    public mutating func forward(_ input: Tensor, training: Bool, generator: inout SplitMix64) -> Tensor {
        inputShape = input.shape
        return averagePool2x2Forward(input)
    }

    public mutating func backward(_ outputGradient: Tensor, needsInputGradient: Bool) -> Tensor? {
        needsInputGradient ? averagePool2x2Backward(outputGradient, inputShape: inputShape) : nil
    }
}

/// Global average pool: `[N, H, W, C]` to `[N, C]`.
public struct GlobalAveragePoolLayer: Layer {
    private var inputShape: [Int] = []

    public init() {}

    public mutating func forward(_ input: Tensor, training: Bool, generator: inout SplitMix64) -> Tensor {
        inputShape = input.shape
        return globalAveragePoolForward(input)
    }

    public mutating func backward(_ outputGradient: Tensor, needsInputGradient: Bool) -> Tensor? {
        needsInputGradient ? globalAveragePoolBackward(outputGradient, inputShape: inputShape) : nil
    }
}

/// Inverted dropout; the identity outside training.
public struct DropoutLayer: Layer {
    public var rate: Float
    private var mask: [Float] = []

    public init(rate: Float) { self.rate = rate }

    public mutating func forward(_ input: Tensor, training: Bool, generator: inout SplitMix64) -> Tensor {
        guard training, rate > 0 else {
            mask = [Float](repeating: 1, count: input.count)
            return input
        }
        return dropoutForward(input, rate: rate, generator: &generator, mask: &mask)
    }

    public mutating func backward(_ outputGradient: Tensor, needsInputGradient: Bool) -> Tensor? {
        needsInputGradient ? dropoutBackward(outputGradient, mask: mask) : nil
    }
}

/// Layers applied one after the other; parameters are named `<index>.<name>` (e.g. `0.weight`).
public struct Sequential: Layer {
    public var layers: [any Layer]

    public init(_ layers: [any Layer]) { self.layers = layers }

    public mutating func forward(_ input: Tensor, training: Bool, generator: inout SplitMix64) -> Tensor {
        var x = input
        for i in layers.indices { x = layers[i].forward(x, training: training, generator: &generator) }
        return x
    }

    public mutating func backward(_ outputGradient: Tensor, needsInputGradient: Bool) -> Tensor? {
        var g: Tensor? = outputGradient
        for i in layers.indices.reversed() {
            guard let current = g else { break }
            g = layers[i].backward(current, needsInputGradient: i > 0 || needsInputGradient)
        }
        return g
    }

    public mutating func visitParameters(_ body: (String, inout Parameter) -> Void) {
        for i in layers.indices {
            layers[i].visitParameters { name, p in body("\(i).\(name)", &p) }
        }
    }
}

/// A complete set of int8 kernels the executor can run a model with. `Reference` is the
/// specification; every other set is bit-exact with it. Generic use is specialised at compile
/// time (no existentials), so one executor serves every set.
///
/// The ops with more than one kernel take the op's `KernelPlan` (docs/kernels.md, "The kernel
/// plan"): made once by `Model.packWeights` for `plannedFeatures`, or `KernelPlan.canonical`.
public protocol KernelSet {
    /// The CPU features `Model.packWeights` plans this set's kernels for, or nil: the set has
    /// only kernels over the canonical weights (its plan keeps every op on them, and fuses the
    /// conv2D + max pool steps).
    static var plannedFeatures: CPUFeatures? { get }
    static func conv2D(
        _ p: ConvolutionParameters, plan: KernelPlan, input: UnsafePointer<Int8>, filter: ChannelwiseWeights,
        output: UnsafeMutablePointer<Int8>)
    static func depthwiseConv2D(
        _ p: ConvolutionParameters, input: UnsafePointer<Int8>, filter: ChannelwiseWeights,
        output: UnsafeMutablePointer<Int8>)
    /// `output` may equal `input` (in place): output pixels go in raster order, each written
    /// after its window is read and never past a window still to be read.
    static func maxPool2x2(_ p: PoolParameters, input: UnsafePointer<Int8>, output: UnsafeMutablePointer<Int8>)
    static func conv2DMaxPool2x2(
        _ p: ConvolutionParameters, plan: KernelPlan, input: UnsafePointer<Int8>, filter: ChannelwiseWeights,
        convolved: UnsafeMutablePointer<Int8>, pool: PoolParameters, output: UnsafeMutablePointer<Int8>)
    /// k x k / stride s max pool (docs/quantization.md "Max pool"); `output` does not overlap `input`.
    static func maxPool(_ p: MaxPoolParameters, input: UnsafePointer<Int8>, output: UnsafeMutablePointer<Int8>)
    static func averagePool2x2(_ p: PoolParameters, input: UnsafePointer<Int8>, output: UnsafeMutablePointer<Int8>)
    static func globalAveragePool(_ shape: TensorShape, input: UnsafePointer<Int8>, output: UnsafeMutablePointer<Int8>)
    static func fullyConnected(
        _ p: FullyConnectedParameters, plan: KernelPlan, input: UnsafePointer<Int8>, filter: ChannelwiseWeights,
        output: UnsafeMutablePointer<Int8>)
    static func fullyConnectedAccumulators(
        _ p: FullyConnectedParameters, plan: KernelPlan, input: UnsafePointer<Int8>, weights: UnsafePointer<Int8>,
        bias: UnsafePointer<Int32>, output: UnsafeMutablePointer<Int32>)
    /// Element-wise add (docs/quantization.md "Add"); `output` overlaps neither input.
    static func add(
        _ p: AddParameters, plan: KernelPlan, input1: UnsafePointer<Int8>, input2: UnsafePointer<Int8>,
        output: UnsafeMutablePointer<Int8>)
    /// Zero pad (docs/quantization.md "Pad"); `output` does not overlap `input`.
    static func pad(_ p: PadParameters, input: UnsafePointer<Int8>, output: UnsafeMutablePointer<Int8>)
    static func packedByteCount(_ p: ConvolutionParameters, plan: KernelPlan) -> Int
    // The 16x8 ops (docs/quantization.md "16-bit activations"), on canonical weights. Every set
    // has `Reference`'s by default (Fast too, for now).
    static func wideConvolution<In: ActivationElement, Out: ActivationElement>(
        _ p: ConvolutionParameters, depthwise: Bool, input: UnsafePointer<In>, filter: WideWeights, output: UnsafeMutablePointer<Out>)
    static func wideFullyConnected<In: ActivationElement, Out: ActivationElement>(
        _ p: FullyConnectedParameters, input: UnsafePointer<In>, filter: WideWeights, output: UnsafeMutablePointer<Out>)
    static func wideFullyConnectedAccumulators<In: ActivationElement>(
        _ p: FullyConnectedParameters, input: UnsafePointer<In>, weights: UnsafePointer<Int8>, bias: UnsafePointer<Int64>,
        output: UnsafeMutablePointer<Int32>)
    static func wideAdd(_ p: AddParameters, input1: UnsafePointer<Int16>, input2: UnsafePointer<Int16>, output: UnsafeMutablePointer<Int16>)
    static func pack(_ p: ConvolutionParameters, plan: KernelPlan, filter: ChannelwiseWeights, into destination: UnsafeMutableRawPointer)
}

extension KernelSet {
    /// Sets without packed layouts run the canonical weights.
    @inlinable
    public static var plannedFeatures: CPUFeatures? { nil }

    /// Bytes `pack` writes for a conv2D op with parameters `p` planned as `plan`, or 0 when
    /// the op reads the canonical weights. Sets without packed layouts need not implement it.
    @inlinable
    public static func packedByteCount(_ p: ConvolutionParameters, plan: KernelPlan) -> Int { 0 }

    /// Writes the conv2D weights of `filter` in the layout of `plan` to `destination`
    /// (`packedByteCount(p, plan:)` bytes, 16-byte aligned).
    @inlinable
    public static func pack(
        _ p: ConvolutionParameters, plan: KernelPlan, filter: ChannelwiseWeights, into destination: UnsafeMutableRawPointer
    ) {}

    /// A conv2D followed by a 2x2 max pool of its output: writes the pool's `output`, which does
    /// not overlap `input` and either does not overlap `convolved` or starts there. This default
    /// runs `conv2D` into `convolved`, then `maxPool2x2` (which may run in place); a set may
    /// compute it without writing `convolved` (docs/quantization.md, "Fused max pool").
    @inlinable
    public static func conv2DMaxPool2x2(
        _ p: ConvolutionParameters, plan: KernelPlan, input: UnsafePointer<Int8>, filter: ChannelwiseWeights,
        convolved: UnsafeMutablePointer<Int8>, pool: PoolParameters, output: UnsafeMutablePointer<Int8>
    ) {
        conv2D(p, plan: plan, input: input, filter: filter, output: convolved)
        maxPool2x2(pool, input: UnsafePointer(convolved), output: output)
    }
}

extension KernelSet {
    /// `Reference.wideConvolution`.
    @inlinable
    public static func wideConvolution<In: ActivationElement, Out: ActivationElement>(
        _ p: ConvolutionParameters, depthwise: Bool, input: UnsafePointer<In>, filter: WideWeights, output: UnsafeMutablePointer<Out>
    ) {
        Reference.wideConvolution(p, depthwise: depthwise, input: input, filter: filter, output: output)
    }

    /// `Reference.wideFullyConnected`.
    @inlinable
    public static func wideFullyConnected<In: ActivationElement, Out: ActivationElement>(
        _ p: FullyConnectedParameters, input: UnsafePointer<In>, filter: WideWeights, output: UnsafeMutablePointer<Out>
    ) {
        Reference.wideFullyConnected(p, input: input, filter: filter, output: output)
    }

    /// `Reference.wideFullyConnectedAccumulators`.
    @inlinable
    public static func wideFullyConnectedAccumulators<In: ActivationElement>(
        _ p: FullyConnectedParameters, input: UnsafePointer<In>, weights: UnsafePointer<Int8>, bias: UnsafePointer<Int64>,
        output: UnsafeMutablePointer<Int32>
    ) {
        Reference.wideFullyConnectedAccumulators(p, input: input, weights: weights, bias: bias, output: output)
    }

    /// `Reference.wideAdd`.
    @inlinable
    public static func wideAdd(
        _ p: AddParameters, input1: UnsafePointer<Int16>, input2: UnsafePointer<Int16>, output: UnsafeMutablePointer<Int16>
    ) {
        Reference.wideAdd(p, input1: input1, input2: input2, output: output)
    }
}

extension Reference: KernelSet {}
extension Fast: KernelSet {}

/// The kernels `Model.predict` uses when none is named.
public typealias DefaultKernels = Fast

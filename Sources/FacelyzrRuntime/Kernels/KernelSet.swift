/// A complete set of int8 kernels the executor can run a model with. `Reference` is the
/// specification; every other set is bit-exact with it. Generic use is specialised at compile
/// time (no existentials), so one executor serves every set.
public protocol KernelSet {
    static func conv2D(
        _ p: ConvolutionParameters, input: UnsafePointer<Int8>, filter: ChannelwiseWeights,
        output: UnsafeMutablePointer<Int8>)
    static func depthwiseConv2D(
        _ p: ConvolutionParameters, input: UnsafePointer<Int8>, filter: ChannelwiseWeights,
        output: UnsafeMutablePointer<Int8>)
    static func maxPool2x2(_ p: PoolParameters, input: UnsafePointer<Int8>, output: UnsafeMutablePointer<Int8>)
    static func averagePool2x2(_ p: PoolParameters, input: UnsafePointer<Int8>, output: UnsafeMutablePointer<Int8>)
    static func globalAveragePool(_ shape: TensorShape, input: UnsafePointer<Int8>, output: UnsafeMutablePointer<Int8>)
    static func fullyConnected(
        _ p: FullyConnectedParameters, input: UnsafePointer<Int8>, filter: ChannelwiseWeights,
        output: UnsafeMutablePointer<Int8>)
    static func fullyConnectedAccumulators(
        _ p: FullyConnectedParameters, input: UnsafePointer<Int8>, weights: UnsafePointer<Int8>,
        bias: UnsafePointer<Int32>, output: UnsafeMutablePointer<Int32>)
}

extension Reference: KernelSet {}
extension Fast: KernelSet {}

/// The kernels `Model.predict` uses when none is named.
public typealias DefaultKernels = Fast

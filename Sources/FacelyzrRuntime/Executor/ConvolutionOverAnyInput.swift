// One conv2D op of a model over an input of any size, in the caller's buffers: what a caller
// that runs a model's convolutions once over a whole picture needs (the localiser's pass per
// pyramid level, docs/detection.md "Localiser"). Nothing here can fail or allocate.

extension Model {
    /// The output shape of conv2D op `index` over an input of `inputHeight` x `inputWidth`
    /// pixels (the channels of the op's input tensor), by the op's padding rule
    /// (`Padding.outputLength`): 0 rows or columns where the kernel does not fit a valid op.
    @inlinable
    public func outputShape(conv2D index: Int, inputHeight: Int, inputWidth: Int) -> TensorShape {
        convolutionParameters(op(index), inputHeight: inputHeight, inputWidth: inputWidth).output
    }

    /// Runs conv2D op `index` (`op(index).kind == .conv2D`) with `kernels` over `input`,
    /// `inputHeight` x `inputWidth` pixels of the op's input channels, int8 NHWC, into `output`
    /// (`outputShape(conv2D:inputHeight:inputWidth:)`'s bytes, not overlapping `input`): the
    /// op's weights, zero points, requantisation and clamp, as its plan in `packedWeights` (the
    /// buffer `packWeights(for: kernels, into:)` filled, or nil: `KernelPlan.canonical`) says,
    /// never fused with a pool. A plan depends on the op's kernel, channels, strides and
    /// rounding, not on the input's size (docs/kernels.md "The kernel plan"), so the recorded
    /// plan is the one the planner makes for this size too; each output is the one `predict`
    /// computes for a window of the input it reads.
    @inlinable
    public func run<Kernels: KernelSet>(
        conv2D index: Int, using kernels: Kernels.Type, input: UnsafePointer<Int8>, inputHeight: Int, inputWidth: Int,
        output: UnsafeMutablePointer<Int8>, packedWeights: UnsafeRawPointer?
    ) {
        let o = op(index)
        let plan = kernelPlan(op: index, packedWeights: packedWeights)
        Kernels.conv2D(convolutionParameters(o, inputHeight: inputHeight, inputWidth: inputWidth), plan: plan, input: input,
                       filter: channelwiseWeights(o, plan: plan, packedWeights: packedWeights), output: output)
    }
}

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

// The fully connected ops of a model over a map: what lets a caller that has a map of an op's
// input features at many places (the localiser's last map per level and phase) run a window
// classifier at all of them at once, each output exactly the op's for the block it reads.

extension Model {
    /// Fully connected op `index` (`op(index).kind == .fullyConnected`) as a valid convolution
    /// over a map of `inputHeight` x `inputWidth` pixels of its input tensor's channels: the
    /// kernel is the input tensor's height x width (the op's `[out][in]` weights, `in` in the
    /// tensor's NHWC order, are then the convolution's OHWI weights), moved by `strideHeight` x
    /// `strideWidth`, with the op's zero points, requantisation and clamp. Output pixel
    /// `(i, j)` is the op's output for the block of the map at `(strideHeight i,
    /// strideWidth j)` (docs/quantization.md: the two ops share the accumulator and output
    /// stage, and integer sums do not depend on their order).
    @inlinable
    public func convolutionParameters(
        fullyConnected index: Int, inputHeight: Int, inputWidth: Int, strideHeight: Int, strideWidth: Int
    ) -> ConvolutionParameters {
        let o = op(index)
        let source = tensor(o.input)
        let destination = tensor(o.output)
        let rows = Padding.valid.outputLength(input: inputHeight, kernel: source.shape.height, stride: strideHeight)
        let columns = Padding.valid.outputLength(input: inputWidth, kernel: source.shape.width, stride: strideWidth)
        return ConvolutionParameters(
            input: TensorShape(height: inputHeight, width: inputWidth, channels: source.shape.channels),
            output: TensorShape(height: rows.length, width: columns.length, channels: destination.shape.channels),
            kernelHeight: source.shape.height, kernelWidth: source.shape.width,
            strideHeight: strideHeight, strideWidth: strideWidth, padTop: 0, padLeft: 0,
            inputZeroPoint: source.zeroPoint, outputZeroPoint: destination.zeroPoint,
            outputMin: o.outputMin, outputMax: o.outputMax, rounding: o.rounding)
    }

    /// The plan `kernels` run convolution `p` (of `convolutionParameters(fullyConnected:...)`)
    /// with when planned for `features` (nil: the canonical weights, `KernelPlan.canonical`), and
    /// the bytes its packed weights take, rounded up to 16 (0: it reads the canonical weights).
    /// As for a conv2D op, the plan depends on the kernel, channels, strides and rounding only.
    @inlinable
    public func convolutionPlan<Kernels: KernelSet>(
        _ p: ConvolutionParameters, for kernels: Kernels.Type, features: CPUFeatures?
    ) -> (plan: KernelPlan, packedByteCount: Int) {
        guard let features else { return (.canonical, 0) }
        let plan = KernelPlan(conv2D: p, features: features)
        return (plan, (Kernels.packedByteCount(p, plan: plan) + 15) & ~15)
    }

    /// Writes fully connected op `index`'s weights as convolution `p` planned as `plan`
    /// (`convolutionPlan`, with packed bytes) to `destination` (16-byte aligned, owned by the caller).
    @inlinable
    public func pack<Kernels: KernelSet>(
        fullyConnected index: Int, as p: ConvolutionParameters, plan: KernelPlan, for kernels: Kernels.Type,
        into destination: UnsafeMutableRawPointer
    ) {
        var filter = channelwiseWeights(op(index))
        filter.packed = nil
        Kernels.pack(p, plan: plan, filter: filter, into: destination)
    }

    /// Runs fully connected op `index` as convolution `p` (`convolutionParameters(fullyConnected:...)`)
    /// with `plan` over `input` into `output` (`p.output`'s bytes, not overlapping `input`):
    /// `packed` is what `pack(fullyConnected:as:plan:for:into:)` wrote, nil when the plan reads
    /// the canonical weights.
    @inlinable
    public func run<Kernels: KernelSet>(
        fullyConnected index: Int, as p: ConvolutionParameters, using kernels: Kernels.Type, plan: KernelPlan,
        packed: UnsafeRawPointer?, input: UnsafePointer<Int8>, output: UnsafeMutablePointer<Int8>
    ) {
        var filter = channelwiseWeights(op(index))
        filter.packed = packed
        Kernels.conv2D(p, plan: plan, input: input, filter: filter, output: output)
    }

    /// Runs head op `index` (`op(index).kind == .fullyConnectedAccumulators`) as a 1x1
    /// convolution with int32 outputs over `rows` x `columns` places: the input at place
    /// `(r, c)` is its input tensor's elements at `input + r * rowPitch + c * columnPitch`, and
    /// its accumulators go to `outputs + (r * columns + c) * outputPitch + op(index).output`,
    /// where `predict` leaves them for one image (`outputPitch`: the model's `outputCount`).
    /// `packedWeights` as for `run(op:)`; `run(op:)` runs a head as one place of this, and a
    /// per-place head (`OpDescription.isPerPlace`) as its input's pixels, each place's input its
    /// channels and its outputs `headDimensions(_:).outputs` apart.
    @inlinable
    public func run<Kernels: KernelSet>(
        fullyConnectedAccumulators index: Int, using kernels: Kernels.Type, input: UnsafePointer<Int8>,
        rows: Int, columns: Int, rowPitch: Int, columnPitch: Int, outputs: UnsafeMutablePointer<Int32>, outputPitch: Int,
        packedWeights: UnsafeRawPointer?
    ) {
        let o = op(index)
        let source = tensor(o.input)
        let head = headDimensions(o)
        let plan = kernelPlan(op: index, packedWeights: packedWeights)
        let p = FullyConnectedParameters(
            inputCount: head.inputs, outputCount: head.outputs,
            inputZeroPoint: source.zeroPoint, outputZeroPoint: 0, outputMin: 0, outputMax: 0, rounding: o.rounding)
        let (weights, bias): (UnsafePointer<Int8>, UnsafePointer<Int32>) = (weightArray(o.weightsOffset), weightArray(o.biasOffset))
        for r in 0..<rows {
            for c in 0..<columns {
                Kernels.fullyConnectedAccumulators(
                    p, plan: plan, input: input + r * rowPitch + c * columnPitch, weights: weights, bias: bias,
                    output: outputs + (r * columns + c) * outputPitch + o.output)
            }
        }
    }
}

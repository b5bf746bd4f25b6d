// Running a validated model: the pixels go into the arena as int8, then each op reads and writes
// activations at the arena offsets planned at export. Nothing here can fail or allocate.

extension Model {
    /// Runs the model on one image with `DefaultKernels`.
    ///
    /// - Parameters:
    ///   - pixels: `input.byteCount` bytes, row-major, in `input.pixelFormat`.
    ///   - arena: `arenaByteCount` bytes of scratch memory (any alignment), owned by the caller;
    ///     each thread sharing the model passes its own.
    ///   - outputs: room for `outputCount` int32 head outputs (see `prediction(output:outputs:)`).
    @inlinable
    public func predict(pixels: UnsafePointer<UInt8>, arena: UnsafeMutableRawPointer, outputs: UnsafeMutablePointer<Int32>) {
        predict(using: DefaultKernels.self, pixels: pixels, arena: arena, outputs: outputs, layerOutputs: nil)
    }

    /// Runs the model and also copies every op's output into `layerOutputs`
    /// (`layerOutputByteCount` bytes; op `i`'s output is at `layerOutputRange(op: i)`, an int16
    /// output as its bytes).
    @inlinable
    public func predict(
        pixels: UnsafePointer<UInt8>, arena: UnsafeMutableRawPointer, outputs: UnsafeMutablePointer<Int32>,
        layerOutputs: UnsafeMutablePointer<Int8>
    ) {
        predict(using: DefaultKernels.self, pixels: pixels, arena: arena, outputs: outputs, layerOutputs: layerOutputs)
    }

    /// Runs the model with the kernel set `kernels` (e.g. `Reference.self`), optionally copying
    /// every int8 op's output into `layerOutputs`. `packedWeights`, if given, is the buffer
    /// `packWeights(for: kernels, into:)` filled: each op then runs as its `KernelPlan` there
    /// says; without it every op runs `KernelPlan.canonical` (the canonical weights).
    @inlinable
    public func predict<Kernels: KernelSet>(
        using kernels: Kernels.Type, pixels: UnsafePointer<UInt8>, arena: UnsafeMutableRawPointer,
        outputs: UnsafeMutablePointer<Int32>, layerOutputs: UnsafeMutablePointer<Int8>?,
        packedWeights: UnsafeRawPointer? = nil
    ) {
        let activations = arena.assumingMemoryBound(to: Int8.self)
        let inputTensor = tensor(inputTensor)
        let inputStart = activations + inputTensor.arenaOffset
        for i in 0..<input.byteCount {
            inputStart[i] = Int8(bitPattern: pixels[i] ^ 0x80)
        }
        var layerCursor = 0
        var index = 0
        while index < opCount {
            // Layer outputs need every op's tensor, so nothing is fused then.
            let fused = layerOutputs == nil && kernelPlan(op: index, packedWeights: packedWeights).fusesMaxPool
            run(op: index, using: kernels, arena: arena, outputs: outputs, packedWeights: packedWeights, fusingMaxPool: fused)
            if fused {
                index += 2
                continue
            }
            if let layerOutputs, op(index).kind != .fullyConnectedAccumulators {
                let destination = tensor(op(index).output)
                let count = destination.byteCount  // an int16 output's bytes, as they lie in the arena
                (layerOutputs + layerCursor).update(from: activations + destination.arenaOffset, count: count)
                layerCursor += count
            }
            index += 1
        }
    }

    /// Runs op `index` alone with `kernels` as its plan in `packedWeights` (the whole buffer
    /// `packWeights` filled, or nil: `KernelPlan.canonical`) says: reads its input from `arena`
    /// and writes its output there (or, for a head, into `outputs`). `predict` is this for every
    /// op in order after the pixels are written; benchmarks call it to time one op.
    /// `fusingMaxPool` (only where the plan's `fusesMaxPool`): runs op `index + 1`, the max
    /// pool, in the same step.
    @inlinable
    public func run<Kernels: KernelSet>(
        op index: Int, using kernels: Kernels.Type, arena: UnsafeMutableRawPointer, outputs: UnsafeMutablePointer<Int32>,
        packedWeights: UnsafeRawPointer? = nil, fusingMaxPool: Bool = false
    ) {
        let activations = arena.assumingMemoryBound(to: Int8.self)
        let plan = kernelPlan(op: index, packedWeights: packedWeights)
        let o = op(index)
        if o.isWide {
            runWide(op: index, using: kernels, arena: arena, outputs: outputs)
            return
        }
        let source = tensor(o.input)
        let x = UnsafePointer(activations + source.arenaOffset)
        if o.kind == .fullyConnectedAccumulators {
            // A per-place head: its input's pixels are the places, row-major as its outputs.
            let (rows, columns) = o.isPerPlace ? (source.shape.height, source.shape.width) : (1, 1)
            let channels = source.shape.channels
            run(fullyConnectedAccumulators: index, using: kernels, input: x, rows: rows, columns: columns,
                rowPitch: columns * channels, columnPitch: channels, outputs: outputs, outputPitch: headDimensions(o).outputs,
                packedWeights: packedWeights)
            return
        }
        let destination = tensor(o.output)
        let y = activations + destination.arenaOffset
        switch o.kind {
        case .conv2D, .depthwiseConv2D:
            let p = convolutionParameters(o)
            if o.kind == .conv2D {
                let filter = channelwiseWeights(o, plan: plan, packedWeights: packedWeights)
                if fusingMaxPool {
                    // The arena plan may put the pool's output where the convolution's input
                    // was (dead after an unfused convolution); then the step writes the pooled
                    // values over the start of the convolution's output and moves them there.
                    let pooled = tensor(op(index + 1).output)
                    let pooledCount = pooled.shape.elementCount
                    let overInput = pooled.arenaOffset < source.arenaOffset + source.shape.elementCount
                        && source.arenaOffset < pooled.arenaOffset + pooledCount
                    let target = overInput ? y : activations + pooled.arenaOffset
                    Kernels.conv2DMaxPool2x2(
                        p, plan: plan, input: x, filter: filter, convolved: y,
                        pool: PoolParameters(input: destination.shape, output: pooled.shape), output: target)
                    if overInput {
                        copyOverlapping(from: y, to: activations + pooled.arenaOffset, count: pooledCount)
                    }
                } else {
                    Kernels.conv2D(p, plan: plan, input: x, filter: filter, output: y)
                }
            } else {
                Kernels.depthwiseConv2D(p, input: x, filter: channelwiseWeights(o), output: y)
            }
        case .maxPool2x2:
            Kernels.maxPool2x2(PoolParameters(input: source.shape, output: destination.shape), input: x, output: y)
        case .maxPool:
            let rows = o.padding.outputLength(input: source.shape.height, kernel: o.kernelHeight, stride: o.strideHeight)
            let columns = o.padding.outputLength(input: source.shape.width, kernel: o.kernelWidth, stride: o.strideWidth)
            let p = MaxPoolParameters(
                input: source.shape, output: destination.shape, kernelHeight: o.kernelHeight, kernelWidth: o.kernelWidth,
                strideHeight: o.strideHeight, strideWidth: o.strideWidth, padTop: rows.padBefore, padLeft: columns.padBefore,
                outputMin: Int8(truncatingIfNeeded: o.outputMin), outputMax: Int8(truncatingIfNeeded: o.outputMax))
            Kernels.maxPool(p, input: x, output: y)
        case .averagePool2x2:
            Kernels.averagePool2x2(PoolParameters(input: source.shape, output: destination.shape), input: x, output: y)
        case .globalAveragePool:
            Kernels.globalAveragePool(source.shape, input: x, output: y)
        case .fullyConnected:
            let p = FullyConnectedParameters(
                inputCount: source.shape.elementCount, outputCount: destination.shape.channels,
                inputZeroPoint: source.zeroPoint, outputZeroPoint: destination.zeroPoint,
                outputMin: o.outputMin, outputMax: o.outputMax, rounding: o.rounding)
            Kernels.fullyConnected(p, plan: plan, input: x, filter: channelwiseWeights(o), output: y)
        case .add:
            let second = tensor(o.secondInput)
            let multipliers: UnsafePointer<Int32> = weightArray(o.multipliersOffset)
            let shifts: UnsafePointer<Int32> = weightArray(o.shiftsOffset)
            let p = AddParameters(
                count: destination.shape.elementCount,
                input1ZeroPoint: source.zeroPoint, input2ZeroPoint: second.zeroPoint,
                input1Multiplier: multipliers[0], input1Shift: shifts[0],
                input2Multiplier: multipliers[1], input2Shift: shifts[1],
                outputMultiplier: multipliers[2], outputShift: shifts[2],
                outputZeroPoint: destination.zeroPoint, outputMin: o.outputMin, outputMax: o.outputMax)
            Kernels.add(p, plan: plan, input1: x, input2: UnsafePointer(activations + second.arenaOffset), output: y)
        case .pad:
            Kernels.pad(
                PadParameters(input: source.shape, output: destination.shape, top: o.padTop, left: o.padLeft,
                              channelsBefore: o.padChannels, zeroPoint: Int8(truncatingIfNeeded: source.zeroPoint),
                              values: o.padValues ? weightArray(o.weightsOffset) : nil),
                input: x, output: y)
        case .fullyConnectedAccumulators:
            break
        }
    }

    /// Copies `count` bytes from `source` to `destination`; the two may overlap. Plain loops:
    /// the Embedded Swift build made `update(from:count:)` one outlined call per byte (213 K of
    /// the aarch64 instructions per inference of the default model, docs/benchmarks.md); the
    /// forward loop, taken unless the destination overlaps the source's end, is vectorised.
    @inlinable
    func copyOverlapping(from source: UnsafeMutablePointer<Int8>, to destination: UnsafeMutablePointer<Int8>, count: Int) {
        if destination < source || destination >= source + count {
            for i in 0..<count { destination[i] = source[i] }
        } else {
            for i in stride(from: count - 1, through: 0, by: -1) { destination[i] = source[i] }
        }
    }

    /// The kernel parameters of convolution op `o`.
    @inlinable
    func convolutionParameters(_ o: OpDescription) -> ConvolutionParameters {
        convolutionParameters(o, inputHeight: tensor(o.input).shape.height, inputWidth: tensor(o.input).shape.width)
    }

    /// The kernel parameters of convolution op `o` over an input of `inputHeight` x
    /// `inputWidth` pixels (its tensor's channels): the output's size by the op's padding rule
    /// (validation checked that the op's own input gives its output tensor's shape).
    @inlinable
    func convolutionParameters(_ o: OpDescription, inputHeight: Int, inputWidth: Int) -> ConvolutionParameters {
        let source = tensor(o.input)
        let destination = tensor(o.output)
        let rows = o.padding.outputLength(input: inputHeight, kernel: o.kernelHeight, stride: o.strideHeight)
        let columns = o.padding.outputLength(input: inputWidth, kernel: o.kernelWidth, stride: o.strideWidth)
        return ConvolutionParameters(
            input: TensorShape(height: inputHeight, width: inputWidth, channels: source.shape.channels),
            output: TensorShape(height: rows.length, width: columns.length, channels: destination.shape.channels),
            kernelHeight: o.kernelHeight, kernelWidth: o.kernelWidth,
            strideHeight: o.strideHeight, strideWidth: o.strideWidth,
            padTop: rows.padBefore, padLeft: columns.padBefore,
            inputZeroPoint: source.zeroPoint, outputZeroPoint: destination.zeroPoint,
            outputMin: o.outputMin, outputMax: o.outputMax, rounding: o.rounding)
    }

    /// The weights section viewed as `T`s from byte `offset` (validated aligned and in bounds).
    @inlinable
    func weightArray<T>(_ offset: Int) -> UnsafePointer<T> {
        (base + layout.weights.offset + offset).assumingMemoryBound(to: T.self)
    }

    @inlinable
    func channelwiseWeights(_ o: OpDescription) -> ChannelwiseWeights {
        ChannelwiseWeights(
            weights: weightArray(o.weightsOffset), bias: weightArray(o.biasOffset),
            multipliers: weightArray(o.multipliersOffset), shifts: weightArray(o.shiftsOffset))
    }

    /// Op `o`'s weights, with its packed weights where its `plan` (from `packedWeights`) has some.
    @inlinable
    func channelwiseWeights(_ o: OpDescription, plan: KernelPlan, packedWeights: UnsafeRawPointer?) -> ChannelwiseWeights {
        var filter = channelwiseWeights(o)
        if plan.packedByteCount > 0, let packedWeights {
            filter.packed = packedWeights + plan.packedOffset
        }
        return filter
    }
}

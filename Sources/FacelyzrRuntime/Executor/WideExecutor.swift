// Running a 16x8 op (format version 5; docs/quantization.md "16-bit activations"): an op with
// an int16 input or output tensor. Its element types come from its tensors' layouts; each
// combination the validator admits goes to the kernel set's generic wide kernels, specialised
// here. Nothing here can fail or allocate.

extension Model {
    /// Runs 16x8 op `index` (`op(index).isWide`) with `kernels`: reads its input from `arena` and
    /// writes its output there (or, for a head, into `outputs`).
    @inlinable
    func runWide<Kernels: KernelSet>(op index: Int, using kernels: Kernels.Type, arena: UnsafeMutableRawPointer, outputs: UnsafeMutablePointer<Int32>) {
        let o = op(index)
        let source = tensor(o.input)
        let x = UnsafeRawPointer(arena + source.arenaOffset)
        if source.layout == .nhwcInt16 {
            runWide(o, using: kernels, input: x.assumingMemoryBound(to: Int16.self), arena: arena, outputs: outputs)
        } else {
            runWide(o, using: kernels, input: x.assumingMemoryBound(to: Int8.self), arena: arena, outputs: outputs)
        }
    }

    /// `runWide(op:)` with the input's element type known.
    @inlinable
    func runWide<Kernels: KernelSet, In: ActivationElement>(
        _ o: OpDescription, using kernels: Kernels.Type, input x: UnsafePointer<In>, arena: UnsafeMutableRawPointer,
        outputs: UnsafeMutablePointer<Int32>
    ) {
        let source = tensor(o.input)
        if o.kind == .fullyConnectedAccumulators {
            let head = headDimensions(o)
            let p = FullyConnectedParameters(
                inputCount: head.inputs, outputCount: head.outputs, inputZeroPoint: source.zeroPoint, outputZeroPoint: 0,
                outputMin: 0, outputMax: 0, rounding: o.rounding)
            for place in 0..<head.places {
                Kernels.wideFullyConnectedAccumulators(
                    p, input: x + place * head.inputs, weights: weightArray(o.weightsOffset), bias: weightArray(o.biasOffset),
                    output: outputs + o.output + place * head.outputs)
            }
            return
        }
        let destination = tensor(o.output)
        let y = arena + destination.arenaOffset
        if destination.layout == .nhwcInt16 {
            runWide(o, using: kernels, input: x, output: y.assumingMemoryBound(to: Int16.self), arena: arena)
        } else {
            runWide(o, using: kernels, input: x, output: y.assumingMemoryBound(to: Int8.self), arena: arena)
        }
    }

    /// `runWide(op:)` with both element types known. Ops that keep their input's type (pools,
    /// pad, add) have `In == Out` (validated).
    @inlinable
    func runWide<Kernels: KernelSet, In: ActivationElement, Out: ActivationElement>(
        _ o: OpDescription, using kernels: Kernels.Type, input x: UnsafePointer<In>, output y: UnsafeMutablePointer<Out>,
        arena: UnsafeMutableRawPointer
    ) {
        let source = tensor(o.input)
        let destination = tensor(o.output)
        // Same-type ops: the input viewed as the output's type (they are equal).
        let same = UnsafeRawPointer(x).assumingMemoryBound(to: Out.self)
        switch o.kind {
        case .conv2D, .depthwiseConv2D:
            Kernels.wideConvolution(convolutionParameters(o), depthwise: o.kind == .depthwiseConv2D, input: x, filter: wideWeights(o), output: y)
        case .fullyConnected:
            let p = FullyConnectedParameters(
                inputCount: source.shape.elementCount, outputCount: destination.shape.channels,
                inputZeroPoint: source.zeroPoint, outputZeroPoint: destination.zeroPoint,
                outputMin: o.outputMin, outputMax: o.outputMax, rounding: o.rounding)
            Kernels.wideFullyConnected(p, input: x, filter: wideWeights(o), output: y)
        case .add:
            let second = tensor(o.secondInput)
            let multipliers: UnsafePointer<Int32> = weightArray(o.multipliersOffset)
            let shifts: UnsafePointer<Int32> = weightArray(o.shiftsOffset)
            let p = AddParameters(
                count: destination.shape.elementCount, input1ZeroPoint: 0, input2ZeroPoint: 0,
                input1Multiplier: multipliers[0], input1Shift: shifts[0], input2Multiplier: multipliers[1], input2Shift: shifts[1],
                outputMultiplier: multipliers[2], outputShift: shifts[2], outputZeroPoint: 0, outputMin: o.outputMin, outputMax: o.outputMax)
            Kernels.wideAdd(
                p, input1: UnsafeRawPointer(x).assumingMemoryBound(to: Int16.self),
                input2: UnsafeRawPointer(arena + second.arenaOffset).assumingMemoryBound(to: Int16.self),
                output: UnsafeMutableRawPointer(y).assumingMemoryBound(to: Int16.self))
        case .maxPool, .maxPool2x2:
            let two = o.kind == .maxPool2x2
            let (kh, kw, sh, sw) = two ? (2, 2, 2, 2) : (o.kernelHeight, o.kernelWidth, o.strideHeight, o.strideWidth)
            let rows = o.padding.outputLength(input: source.shape.height, kernel: kh, stride: sh)
            let columns = o.padding.outputLength(input: source.shape.width, kernel: kw, stride: sw)
            let p = MaxPoolParameters(
                input: source.shape, output: destination.shape, kernelHeight: kh, kernelWidth: kw, strideHeight: sh, strideWidth: sw,
                padTop: rows.padBefore, padLeft: columns.padBefore)
            Reference.maxPool(p, outputMin: two ? Out.min.int32 : o.outputMin, outputMax: two ? Out.max.int32 : o.outputMax, input: same, output: y)
        case .averagePool2x2:
            Reference.averagePool2x2(PoolParameters(input: source.shape, output: destination.shape), elements: same, output: y)
        case .globalAveragePool:
            Reference.globalAveragePool(source.shape, elements: same, output: y)
        case .pad:
            Reference.pad(
                PadParameters(input: source.shape, output: destination.shape, top: o.padTop, left: o.padLeft,
                              channelsBefore: o.padChannels, zeroPoint: 0),
                elements: same, output: y)
        case .fullyConnectedAccumulators:
            break
        }
    }

    /// The weights of 16x8 op `o`: int8 weights, int64 bias, multipliers and shifts.
    @inlinable
    func wideWeights(_ o: OpDescription) -> WideWeights {
        WideWeights(
            weights: weightArray(o.weightsOffset), bias: weightArray(o.biasOffset),
            multipliers: weightArray(o.multipliersOffset), shifts: weightArray(o.shiftsOffset))
    }
}

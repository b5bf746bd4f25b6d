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

    /// Runs the model and also copies every int8 op's output into `layerOutputs`
    /// (`layerOutputByteCount` bytes; op `i`'s output is at `layerOutputRange(op: i)`).
    @inlinable
    public func predict(
        pixels: UnsafePointer<UInt8>, arena: UnsafeMutableRawPointer, outputs: UnsafeMutablePointer<Int32>,
        layerOutputs: UnsafeMutablePointer<Int8>
    ) {
        predict(using: DefaultKernels.self, pixels: pixels, arena: arena, outputs: outputs, layerOutputs: layerOutputs)
    }

    /// Runs the model with the kernel set `kernels` (e.g. `Reference.self`), optionally copying
    /// every int8 op's output into `layerOutputs`.
    @inlinable
    public func predict<Kernels: KernelSet>(
        using kernels: Kernels.Type, pixels: UnsafePointer<UInt8>, arena: UnsafeMutableRawPointer,
        outputs: UnsafeMutablePointer<Int32>, layerOutputs: UnsafeMutablePointer<Int8>?
    ) {
        let activations = arena.assumingMemoryBound(to: Int8.self)
        let inputTensor = tensor(inputTensor)
        let inputStart = activations + inputTensor.arenaOffset
        for i in 0..<input.byteCount {
            inputStart[i] = Int8(bitPattern: pixels[i] ^ 0x80)
        }
        var layerCursor = 0
        for index in 0..<opCount {
            let o = op(index)
            let source = tensor(o.input)
            let x = UnsafePointer(activations + source.arenaOffset)
            if o.kind == .fullyConnectedAccumulators {
                let p = FullyConnectedParameters(
                    inputCount: source.shape.elementCount, outputCount: o.outputLength,
                    inputZeroPoint: source.zeroPoint, outputZeroPoint: 0, outputMin: 0, outputMax: 0,
                    rounding: o.rounding)
                Kernels.fullyConnectedAccumulators(
                    p, input: x, weights: weightArray(o.weightsOffset), bias: weightArray(o.biasOffset),
                    output: outputs + o.output)
                continue
            }
            let destination = tensor(o.output)
            let y = activations + destination.arenaOffset
            switch o.kind {
            case .conv2D, .depthwiseConv2D:
                let p = ConvolutionParameters(
                    input: source.shape, output: destination.shape,
                    kernelHeight: o.kernelHeight, kernelWidth: o.kernelWidth,
                    strideHeight: o.strideHeight, strideWidth: o.strideWidth,
                    padTop: o.padding.outputLength(input: source.shape.height, kernel: o.kernelHeight, stride: o.strideHeight).padBefore,
                    padLeft: o.padding.outputLength(input: source.shape.width, kernel: o.kernelWidth, stride: o.strideWidth).padBefore,
                    inputZeroPoint: source.zeroPoint, outputZeroPoint: destination.zeroPoint,
                    outputMin: o.outputMin, outputMax: o.outputMax, rounding: o.rounding)
                if o.kind == .conv2D {
                    Kernels.conv2D(p, input: x, filter: channelwiseWeights(o), output: y)
                } else {
                    Kernels.depthwiseConv2D(p, input: x, filter: channelwiseWeights(o), output: y)
                }
            case .maxPool2x2:
                Kernels.maxPool2x2(PoolParameters(input: source.shape, output: destination.shape), input: x, output: y)
            case .averagePool2x2:
                Kernels.averagePool2x2(PoolParameters(input: source.shape, output: destination.shape), input: x, output: y)
            case .globalAveragePool:
                Kernels.globalAveragePool(source.shape, input: x, output: y)
            case .fullyConnected:
                let p = FullyConnectedParameters(
                    inputCount: source.shape.elementCount, outputCount: destination.shape.channels,
                    inputZeroPoint: source.zeroPoint, outputZeroPoint: destination.zeroPoint,
                    outputMin: o.outputMin, outputMax: o.outputMax, rounding: o.rounding)
                Kernels.fullyConnected(p, input: x, filter: channelwiseWeights(o), output: y)
            case .fullyConnectedAccumulators:
                break
            }
            if let layerOutputs {
                let count = destination.shape.elementCount
                (layerOutputs + layerCursor).update(from: y, count: count)
                layerCursor += count
            }
        }
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
}

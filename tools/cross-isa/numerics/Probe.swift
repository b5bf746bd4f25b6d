// Embedded Swift probe compiled together with the runtime sources for each ISA by
// tools/cross-isa/numerics.sh: hashes the numerics and kernel outputs over deterministic inputs.
// Equal hashes on x86-64, aarch64 and armv7 show the numeric contract is ISA-independent.

/// FNV-1a over 32-bit words.
struct Hash {
    var value: UInt64 = 0xCBF2_9CE4_8422_2325
    mutating func add(_ word: UInt32) { value = (value ^ UInt64(word)) &* 0x0000_0100_0000_01B3 }
}

/// A 32-bit LCG (same sequence on every ISA).
struct Lcg {
    var state: UInt32
    mutating func next() -> UInt32 {
        state = state &* 1_664_525 &+ 1_013_904_223
        return state
    }
    mutating func below(_ n: Int) -> Int { Int(next() >> 8) % n }
    mutating func int8() -> Int8 { Int8(truncatingIfNeeded: next() >> 24) }
}

/// Sigmoid on every 256th float32 in [-90, 90], both signs.
@_cdecl("probe_sigmoid")
public func probeSigmoid() -> UInt64 {
    var hash = Hash()
    let top = Float(90).bitPattern
    var bits: UInt32 = 0
    while bits <= top {
        hash.add(sigmoid(Float(bitPattern: bits)).bitPattern)
        hash.add(sigmoid(-Float(bitPattern: bits)).bitPattern)
        bits &+= 256
    }
    return hash.value
}

/// Requantisation in both modes, head dequantisation and quantizeMultiplier on pseudo-random inputs.
@_cdecl("probe_requantize")
public func probeRequantize() -> UInt64 {
    var hash = Hash()
    var rng = Lcg(state: 12345)
    for _ in 0..<300_000 {
        let acc = Int32(bitPattern: rng.next())
        let multiplier = Int32(bitPattern: rng.next() >> 1)
        let shift = Int32(truncatingIfNeeded: rng.below(62)) - 31
        hash.add(UInt32(bitPattern: requantize(acc, multiplier: multiplier, shift: shift, rounding: .double)))
        hash.add(UInt32(bitPattern: requantize(acc, multiplier: multiplier, shift: shift, rounding: .single)))
        let scale = Float(bitPattern: rng.next() >> 9 | 0x3000_0000)
        hash.add(dequantizeHeadOutput(acc, scale: scale).bitPattern)
        let q = quantizeMultiplier(Double(scale) / 3)
        hash.add(UInt32(bitPattern: q.multiplier))
        hash.add(UInt32(bitPattern: q.shift))
    }
    return hash.value
}

/// Reference and Fast conv2D / depthwise (kernels 1-7) / fully connected / add / max pool / pad on
/// pseudo-random small layers.
/// Returns the hash of the reference outputs, or 0 if a fast kernel ever differed.
@_cdecl("probe_kernels")
public func probeKernels() -> UInt64 {
    var hash = Hash()
    var rng = Lcg(state: 777)
    let capacity = 4096
    let input = UnsafeMutablePointer<Int8>.allocate(capacity: capacity)
    // Up to 8 filters of 7 x 7 x 20 weights.
    let weights = UnsafeMutablePointer<Int8>.allocate(capacity: 2 * capacity)
    let bias = UnsafeMutablePointer<Int32>.allocate(capacity: 64)
    let multipliers = UnsafeMutablePointer<Int32>.allocate(capacity: 64)
    let shifts = UnsafeMutablePointer<Int32>.allocate(capacity: 64)
    // Room for every op's output one after another (the pad's reaches about 7,000 bytes).
    let expected = UnsafeMutablePointer<Int8>.allocate(capacity: 2 * capacity)
    let got = UnsafeMutablePointer<Int8>.allocate(capacity: 2 * capacity)
    let packed = UnsafeMutableRawPointer.allocate(byteCount: 32768, alignment: 16)
    defer {
        packed.deallocate()
        input.deallocate(); weights.deallocate(); bias.deallocate(); multipliers.deallocate()
        shifts.deallocate(); expected.deallocate(); got.deallocate()
    }
    for _ in 0..<300 {
        for i in 0..<capacity {
            input[i] = rng.int8()
            weights[i] = max(rng.int8(), -127)
        }
        for i in capacity..<(2 * capacity) { weights[i] = max(rng.int8(), -127) }
        for c in 0..<64 {
            bias[c] = Int32(bitPattern: rng.next()) >> 12
            multipliers[c] = Int32(bitPattern: rng.next() >> 1 | 0x4000_0000)
            shifts[c] = Int32(truncatingIfNeeded: rng.below(20)) - 17
        }
        let filter = ChannelwiseWeights(weights: weights, bias: bias, multipliers: multipliers, shifts: shifts)
        let shape = TensorShape(height: 1 + rng.below(8), width: 1 + rng.below(8), channels: 1 + rng.below(20))
        let kernel = 1 + rng.below(7), stride = 1 + rng.below(2)
        let padding: Padding = rng.below(2) == 0 ? .same : .valid
        let rows = padding.outputLength(input: shape.height, kernel: kernel, stride: stride)
        let columns = padding.outputLength(input: shape.width, kernel: kernel, stride: stride)
        let depthwise = rng.below(2) == 0
        let outChannels = depthwise ? shape.channels : 1 + rng.below(8)
        let p = ConvolutionParameters(
            input: shape, output: TensorShape(height: rows.length, width: columns.length, channels: outChannels),
            kernelHeight: kernel, kernelWidth: kernel, strideHeight: stride, strideWidth: stride,
            padTop: rows.padBefore, padLeft: columns.padBefore,
            inputZeroPoint: Int32(rng.int8()), outputZeroPoint: Int32(rng.int8()), outputMin: -128, outputMax: 127,
            rounding: rng.below(2) == 0 ? .double : .single)
        if depthwise {
            Reference.depthwiseConv2D(p, input: input, filter: filter, output: expected)
            Fast.depthwiseConv2D(p, input: input, filter: filter, output: got)
        } else {
            Reference.conv2D(p, input: input, filter: filter, output: expected)
            Fast.conv2D(p, input: input, filter: filter, output: got)
            // The packed kernel this machine's plan gives (each ISA's intrinsics) must agree too.
            let plan = KernelPlan(conv2D: p, features: .detected)
            var packedFilter = filter
            Fast.pack(p, plan: plan, filter: filter, into: packed)
            packedFilter.packed = UnsafeRawPointer(packed)
            Fast.conv2D(p, plan: plan, input: input, filter: packedFilter, output: got + capacity / 2)
            for i in 0..<p.output.elementCount where got[capacity / 2 + i] != expected[i] { return 0 }
        }
        let fc = FullyConnectedParameters(
            inputCount: 1 + rng.below(200), outputCount: 1 + rng.below(16), inputZeroPoint: Int32(rng.int8()),
            outputZeroPoint: Int32(rng.int8()), outputMin: -128, outputMax: 127, rounding: .single)
        let count = p.output.elementCount
        Reference.fullyConnected(fc, input: input, filter: filter, output: expected + count)
        Fast.fullyConnected(fc, plan: KernelPlan(fullyConnectedFor: .detected), input: input, filter: filter, output: got + count)
        // An add of two stretches of the buffers, with this machine's plan (AVX2 or NEON blocks).
        let add = AddParameters(
            count: 1 + rng.below(1000), input1ZeroPoint: Int32(rng.int8()), input2ZeroPoint: Int32(rng.int8()),
            input1Multiplier: multipliers[0], input1Shift: -Int32(truncatingIfNeeded: rng.below(32)),
            input2Multiplier: multipliers[1], input2Shift: -Int32(truncatingIfNeeded: rng.below(32)),
            outputMultiplier: multipliers[2], outputShift: -Int32(truncatingIfNeeded: rng.below(32)),
            outputZeroPoint: Int32(rng.int8()), outputMin: -128, outputMax: 127)
        let sums = count + fc.outputCount
        Reference.add(add, input1: input, input2: weights, output: expected + sums)
        Fast.add(add, plan: KernelPlan(addFor: .detected), input1: input, input2: weights, output: got + sums)
        // A k x k / stride s max pool of the input, kernels and strides 1-7, both paddings.
        let poolKernel = (1 + rng.below(7), 1 + rng.below(7)), poolStride = (1 + rng.below(7), 1 + rng.below(7))
        let poolPadding: Padding = rng.below(2) == 0 ? .same : .valid
        let poolRows = poolPadding.outputLength(input: shape.height, kernel: poolKernel.0, stride: poolStride.0)
        let poolColumns = poolPadding.outputLength(input: shape.width, kernel: poolKernel.1, stride: poolStride.1)
        let pool = MaxPoolParameters(
            input: shape, output: TensorShape(height: poolRows.length, width: poolColumns.length, channels: shape.channels),
            kernelHeight: poolKernel.0, kernelWidth: poolKernel.1, strideHeight: poolStride.0, strideWidth: poolStride.1,
            padTop: poolRows.padBefore, padLeft: poolColumns.padBefore, outputMin: rng.int8() / 2 - 64, outputMax: 127)
        let pooled = sums + add.count
        Reference.maxPool(pool, input: input, output: expected + pooled)
        Fast.maxPool(pool, input: input, output: got + pooled)
        // A pad of up to 2 rows, columns and channels on each side, with per-channel values (the weights).
        let before = (rng.below(3), rng.below(3), rng.below(3)), after = (rng.below(3), rng.below(3), rng.below(3))
        let padded = PadParameters(
            input: shape, output: TensorShape(height: before.0 + shape.height + after.0, width: before.1 + shape.width + after.1,
                                              channels: before.2 + shape.channels + after.2),
            top: before.0, left: before.1, channelsBefore: before.2, zeroPoint: rng.int8(),
            values: rng.below(2) == 0 ? nil : UnsafePointer(weights))
        let padOutput = pooled + pool.output.elementCount
        Reference.pad(padded, input: input, output: expected + padOutput)
        Fast.pad(padded, input: input, output: got + padOutput)
        for i in 0..<(padOutput + padded.output.elementCount) {
            if expected[i] != got[i] { return 0 }
            hash.add(UInt32(UInt8(bitPattern: expected[i])))
        }
    }
    return hash.value
}

/// Softmax heads (docs/quantization.md "Softmax and expected value"): the exponential on every
/// 256th float32 in [-90, 0], then 20,000 pseudo-random heads of 2-100 outputs (real values
/// `Float(acc) * scale`, some ties), their probabilities, decisions and expected values.
@_cdecl("probe_heads")
public func probeHeads() -> UInt64 {
    var hash = Hash()
    let top = Float(90).bitPattern
    var bits: UInt32 = 0
    while bits <= top {
        hash.add(exponential(nonPositive: -Float(bitPattern: bits)).bitPattern)
        bits &+= 256
    }
    var rng = Lcg(state: 4242)
    let accumulators = UnsafeMutablePointer<Int32>.allocate(capacity: 100)
    let scales = UnsafeMutablePointer<Float>.allocate(capacity: 100)
    let bins = UnsafeMutablePointer<Float>.allocate(capacity: 100)
    defer { accumulators.deallocate(); scales.deallocate(); bins.deallocate() }
    for _ in 0..<20_000 {
        let count = 2 + rng.below(99)
        let range = UInt32(1) << UInt32(truncatingIfNeeded: 2 + rng.below(30))
        for i in 0..<count {
            accumulators[i] = rng.below(8) == 0 ? accumulators[0] : Int32(bitPattern: rng.next() % range) &- Int32(bitPattern: range / 2)
            scales[i] = Float(bitPattern: rng.next() >> 9 | 0x3800_0000)  // about 2^-15 .. 2^-14
            bins[i] = rng.below(2) == 0 ? Float(i) : Float(Int32(bitPattern: rng.next()) >> 12) / 64
        }
        let value = { (i: Int) in dequantizeHeadOutput(accumulators[i], scale: scales[i]) }
        let terms = SoftmaxTerms(count: count, value)
        hash.add(UInt32(truncatingIfNeeded: terms.argmax))
        hash.add(terms.sum.bitPattern)
        for i in 0..<count { hash.add(terms.probability(value(i)).bitPattern) }
        hash.add(terms.expectedValue(count: count, value, binValue: { bins[$0] }).bitPattern)
    }
    return hash.value
}

/// The 16x8 ops (docs/quantization.md section 11) on pseudo-random small layers: the int64
/// rescale, convolutions and depthwise convolutions int16 -> int16, int8 -> int16 and
/// int16 -> int8, fully connected, head accumulators, the int16 add, pools and pad.
/// Returns the hash of the reference outputs, or 0 if a fast kernel ever differed.
@_cdecl("probe_wide")
public func probeWide() -> UInt64 {
    var hash = Hash()
    var rng = Lcg(state: 1616)
    for _ in 0..<20_000 {
        let x = Int64(bitPattern: UInt64(rng.next()) << 32 | UInt64(rng.next())) >> 17  // |x| < 2^47
        let m = Int32(bitPattern: rng.next() >> 1)
        let shift = Int32(truncatingIfNeeded: rng.below(39)) - 31
        let y = multiplyByQuantizedMultiplier(x, multiplier: m, shift: shift)
        hash.add(UInt32(truncatingIfNeeded: y))
        hash.add(UInt32(truncatingIfNeeded: y >> 32))
    }
    let capacity = 4096
    let input16 = UnsafeMutablePointer<Int16>.allocate(capacity: capacity)
    let second16 = UnsafeMutablePointer<Int16>.allocate(capacity: capacity)
    let input8 = UnsafeMutablePointer<Int8>.allocate(capacity: capacity)
    let weights = UnsafeMutablePointer<Int8>.allocate(capacity: 2 * capacity)
    let bias = UnsafeMutablePointer<Int64>.allocate(capacity: 64)
    let multipliers = UnsafeMutablePointer<Int32>.allocate(capacity: 64)
    let shifts = UnsafeMutablePointer<Int32>.allocate(capacity: 64)
    let expected = UnsafeMutablePointer<Int16>.allocate(capacity: 2 * capacity)
    let got = UnsafeMutablePointer<Int16>.allocate(capacity: 2 * capacity)
    let expected8 = UnsafeMutablePointer<Int8>.allocate(capacity: capacity)
    let got8 = UnsafeMutablePointer<Int8>.allocate(capacity: capacity)
    let heads = UnsafeMutablePointer<Int32>.allocate(capacity: 128)
    defer {
        input16.deallocate(); second16.deallocate(); input8.deallocate(); weights.deallocate(); bias.deallocate()
        multipliers.deallocate(); shifts.deallocate(); expected.deallocate(); got.deallocate(); expected8.deallocate()
        got8.deallocate(); heads.deallocate()
    }
    for _ in 0..<200 {
        for i in 0..<capacity {
            input16[i] = Int16(truncatingIfNeeded: rng.next() >> 16)
            second16[i] = Int16(truncatingIfNeeded: rng.next() >> 16)
            input8[i] = rng.int8()
            weights[i] = max(rng.int8(), -127)
        }
        for i in capacity..<(2 * capacity) { weights[i] = max(rng.int8(), -127) }
        for c in 0..<64 {
            bias[c] = Int64(Int32(bitPattern: rng.next())) << Int64(truncatingIfNeeded: rng.below(15))
            multipliers[c] = Int32(bitPattern: rng.next() >> 1 | 0x4000_0000)
            shifts[c] = Int32(truncatingIfNeeded: rng.below(30)) - 25
        }
        let filter = WideWeights(weights: weights, bias: bias, multipliers: multipliers, shifts: shifts)
        let shape = TensorShape(height: 1 + rng.below(8), width: 1 + rng.below(8), channels: 1 + rng.below(20))
        let depthwise = rng.below(2) == 0
        let kernel = depthwise ? 3 : 1 + rng.below(7), stride = 1 + rng.below(2)
        let padding: Padding = rng.below(2) == 0 ? .same : .valid
        let rows = padding.outputLength(input: shape.height, kernel: kernel, stride: stride)
        let columns = padding.outputLength(input: shape.width, kernel: kernel, stride: stride)
        let boundary = rng.below(3)  // 0: int16 -> int16, 1: int8 -> int16, 2: int16 -> int8
        var p = ConvolutionParameters(
            input: shape, output: TensorShape(height: rows.length, width: columns.length, channels: depthwise ? shape.channels : 1 + rng.below(8)),
            kernelHeight: kernel, kernelWidth: kernel, strideHeight: stride, strideWidth: stride,
            padTop: rows.padBefore, padLeft: columns.padBefore, inputZeroPoint: 0, outputZeroPoint: 0,
            outputMin: -32768, outputMax: 32767, rounding: .double)
        let count = p.output.elementCount
        switch boundary {
        case 1:
            p.inputZeroPoint = Int32(rng.int8())
            Reference.wideConvolution(p, depthwise: depthwise, input: input8, filter: filter, output: expected)
            Fast.wideConvolution(p, depthwise: depthwise, input: input8, filter: filter, output: got)
        case 2:
            (p.outputZeroPoint, p.outputMin, p.outputMax) = (Int32(rng.int8()), -128, 127)
            Reference.wideConvolution(p, depthwise: depthwise, input: input16, filter: filter, output: expected8)
            Fast.wideConvolution(p, depthwise: depthwise, input: input16, filter: filter, output: got8)
            for i in 0..<count {
                expected[i] = Int16(expected8[i])
                got[i] = Int16(got8[i])
            }
        default:
            p.outputMin = Int32(truncatingIfNeeded: rng.below(2)) - 1  // a ReLU half the time
            Reference.wideConvolution(p, depthwise: depthwise, input: input16, filter: filter, output: expected)
            Fast.wideConvolution(p, depthwise: depthwise, input: input16, filter: filter, output: got)
        }
        let fc = FullyConnectedParameters(
            inputCount: 1 + rng.below(200), outputCount: 1 + rng.below(16), inputZeroPoint: 0, outputZeroPoint: 0,
            outputMin: -32768, outputMax: 32767, rounding: .double)
        Reference.wideFullyConnected(fc, input: input16, filter: filter, output: expected + count)
        Fast.wideFullyConnected(fc, input: input16, filter: filter, output: got + count)
        Reference.wideFullyConnectedAccumulators(fc, input: input16, weights: weights, bias: bias, output: heads)
        Fast.wideFullyConnectedAccumulators(fc, input: input16, weights: weights, bias: bias, output: heads + 64)
        for o in 0..<fc.outputCount {
            if heads[o] != heads[64 + o] { return 0 }
            hash.add(UInt32(bitPattern: heads[o]))
        }
        let add = AddParameters(
            count: 1 + rng.below(1000), input1ZeroPoint: 0, input2ZeroPoint: 0,
            input1Multiplier: multipliers[0], input1Shift: -Int32(truncatingIfNeeded: rng.below(32)),
            input2Multiplier: multipliers[1], input2Shift: -Int32(truncatingIfNeeded: rng.below(32)),
            outputMultiplier: multipliers[2], outputShift: -Int32(truncatingIfNeeded: rng.below(32)),
            outputZeroPoint: 0, outputMin: -32768, outputMax: 32767)
        let sums = count + fc.outputCount
        Reference.wideAdd(add, input1: input16, input2: second16, output: expected + sums)
        Fast.wideAdd(add, input1: input16, input2: second16, output: got + sums)
        // The pools and the pad have one (Reference) kernel for int16: hashed, not compared.
        let pool = MaxPoolParameters(
            input: shape, output: TensorShape(height: rows.length, width: columns.length, channels: shape.channels),
            kernelHeight: kernel, kernelWidth: kernel, strideHeight: stride, strideWidth: stride,
            padTop: rows.padBefore, padLeft: columns.padBefore)
        let pooled = sums + add.count
        Reference.maxPool(pool, outputMin: -1000, outputMax: 32767, input: input16, output: expected + pooled)
        let averaged = pooled + pool.output.elementCount
        let halves = TensorShape(height: shape.height / 2, width: shape.width / 2, channels: shape.channels)
        Reference.averagePool2x2(PoolParameters(input: shape, output: halves), elements: input16, output: expected + averaged)
        let global = averaged + halves.elementCount
        Reference.globalAveragePool(shape, elements: input16, output: expected + global)
        let padded = PadParameters(
            input: shape, output: TensorShape(height: shape.height + 2, width: shape.width + 1, channels: shape.channels + 2),
            top: 1, left: 1, channelsBefore: 1, zeroPoint: 0)
        let padOutput = global + shape.channels
        Reference.pad(padded, elements: input16, output: expected + padOutput)
        for i in 0..<pooled where expected[i] != got[i] { return 0 }
        for i in 0..<(padOutput + padded.output.elementCount) { hash.add(UInt32(UInt16(bitPattern: expected[i]))) }
    }
    return hash.value
}

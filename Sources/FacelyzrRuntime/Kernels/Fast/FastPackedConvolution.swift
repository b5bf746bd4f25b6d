import CFacelyzrSIMD

// conv2D over weights packed at load (docs/kernels.md): for each output pixel the receptive
// field is gathered once into a small stack buffer (taps outside the image get the value
// inputZeroPoint), then every block of 16 output channels is one pass over it. The op's
// `KernelPlan` names the variant: quad tiles (FastQuadConvolution.swift) or pixel lanes
// (FastPixelLanesConvolution.swift) where the planner gives them; otherwise, on aarch64, int8
// weight rows, smull/smlal2/sadalp (or sdot when built for ARMv8.2 dot product), CFacelyzrSIMD;
// elsewhere int16 pair products, acc[c] += w[c][2k] * x[2k] + w[c][2k+1] * x[2k+1] (x86-64:
// pmaddwd). Weights are in [-127, 127] (docs/quantization.md), which keeps both exact.

extension Fast {
    /// Output channels per packed block (one `ChannelBlock` of accumulators).
    static let packedBlock = 16
    /// Largest receptive field (`kernelHeight * kernelWidth * inChannels`) the packed kernel
    /// gathers; larger convolutions keep the canonical weights. The gather buffer (1,024 bytes)
    /// also holds the zeros that pad a field to `fieldAlignment`.
    static let maximumPackedField = 1008

    /// The CPU features `Model.packWeights` plans the fast kernels for: this machine's.
    public static var plannedFeatures: CPUFeatures? { .detected }

    #if arch(arm64)
    /// aarch64 weights: int8 rows `[channel][field rounded up to 16]`.
    static let fieldAlignment = 16
    static let weightSize = 1
    #else
    /// Other ISAs: int16 pairs `[block][pair][16 channels][2]`.
    static let fieldAlignment = 2
    static let weightSize = 2
    #endif

    @inline(__always)
    static func paddedField(_ p: ConvolutionParameters) -> Int {
        let field = p.kernelHeight * p.kernelWidth * p.input.channels
        return (field + fieldAlignment - 1) / fieldAlignment * fieldAlignment
    }

    /// Packed layout of a conv2D op planned as `plan`, in `blocks * 16` channels (padding
    /// channels all zero): int32 folded biases (`bias - inputZeroPoint * sum(w)`), int32
    /// multipliers, left shifts `max(shift, 0)` and right shifts as `min(shift, 0)`, then the
    /// weights in the variant's layout (`fieldAlignment`, or quads), padded with zero weights;
    /// pixel lanes then add their `fz_lanes_plan`. 0 bytes for the canonical weights.
    public static func packedByteCount(_ p: ConvolutionParameters, plan: KernelPlan) -> Int {
        let channels = (p.output.channels + packedBlock - 1) / packedBlock * packedBlock
        switch plan.variant {
        case .portable, .avx512Dot, .avx2Elementwise, .neonElementwise:
            return 0
        case .avx512PixelLanes:
            #if arch(x86_64)
            return pixelLanesPlanOffset(p) + MemoryLayout<fz_lanes_plan>.stride
            #else
            return 0
            #endif
        case .avx512QuadTiles, .neonSmullQuads, .neonSdotQuads:
            #if arch(x86_64) || arch(arm64)
            return channels * 4 * 4 + channels * p.kernelHeight * quadRowStride(p)
            #else
            return 0
            #endif
        case .portablePairs, .sse2Pairs, .avx2Pairs, .neonRows:
            return channels * 4 * 4 + channels * paddedField(p) * weightSize
        }
    }

    /// Writes the conv2D weights of `filter` in the layout of `plan` (`packedByteCount(p, plan:)`
    /// bytes, 16-byte aligned) to `destination`.
    public static func pack(
        _ p: ConvolutionParameters, plan: KernelPlan, filter: ChannelwiseWeights, into destination: UnsafeMutableRawPointer
    ) {
        let field = p.kernelHeight * p.kernelWidth * p.input.channels
        let blocks = (p.output.channels + packedBlock - 1) / packedBlock
        let channels = blocks * packedBlock
        let quads = plan.mode == .runs || plan.mode == .tiles
        let lanes = plan.mode == .lanes
        // The VNNI kernels multiply x + 128 (x XOR 0x80, unsigned): their bias also subtracts 128 * sum(w).
        let unsignedInput = plan.variant == .avx512QuadTiles || plan.variant == .avx512PixelLanes
        let foldedZeroPoint = unsignedInput ? p.inputZeroPoint &+ 128 : p.inputZeroPoint
        let bias = destination.bindMemory(to: Int32.self, capacity: 4 * channels)
        for channel in 0..<channels {
            let real = channel < p.output.channels
            bias[channel] = real ? filter.bias[channel] &- foldedZeroPoint &* sum(filter.weights + channel * field, count: field) : 0
            bias[channels + channel] = real ? filter.multipliers[channel] : 0
            let shift = real ? filter.shifts[channel] : 0
            bias[2 * channels + channel] = max(shift, 0)
            bias[3 * channels + channel] = min(shift, 0)
        }
        #if arch(x86_64) || arch(arm64)
        if quads || lanes {
            // Pixel lanes: the quad tiles' layout with the whole field as one kernel row.
            packQuadWeights(
                p, filter: filter, into: (destination + 4 * channels * 4).bindMemory(to: Int8.self, capacity: 1), blocks: blocks,
                rows: lanes ? 1 : p.kernelHeight, rowLength: lanes ? field : p.kernelWidth * p.input.channels)
            #if arch(x86_64)
            if lanes { packPixelLanesPlan(p, into: destination) }
            #endif
            return
        }
        #endif
        let padded = paddedField(p)
        func weight(_ channel: Int, _ tap: Int) -> Int8 {
            channel < p.output.channels && tap < field ? filter.weights[channel * field + tap] : 0
        }
        #if arch(arm64)
        let weights = (destination + 4 * channels * 4).bindMemory(to: Int8.self, capacity: channels * padded)
        for channel in 0..<channels {
            for tap in 0..<padded {
                weights[channel * padded + tap] = weight(channel, tap)
            }
        }
        #else
        let pairs = padded / 2
        let weights = (destination + 4 * channels * 4).bindMemory(to: Int16.self, capacity: channels * padded)
        for block in 0..<blocks {
            for pair in 0..<pairs {
                for c in 0..<packedBlock {
                    for j in 0..<2 {
                        weights[((block * pairs + pair) * packedBlock + c) * 2 + j] = Int16(weight(block * packedBlock + c, 2 * pair + j))
                    }
                }
            }
        }
        #endif
    }

    /// `conv2D` over `packed`, laid out by `pack` for `plan` (whose mode is `pairs`). Output
    /// pixels go in pairs along a row, so each weight load serves two receptive fields.
    static func packedConv2D(
        _ p: ConvolutionParameters, input: UnsafePointer<Int8>, packed: UnsafeRawPointer, output: UnsafeMutablePointer<Int8>,
        plan: KernelPlan
    ) {
        let avx2 = plan.variant == .avx2Pairs
        let avx512Gather = plan.gather == .avx512
        trace(.conv2D, pairsVariant(avx2: avx2), .pairs, gather: plan.gather)
        let field = p.kernelHeight * p.kernelWidth * p.input.channels
        let rowLength = p.kernelWidth * p.input.channels
        let padded = paddedField(p)
        let blocks = (p.output.channels + packedBlock - 1) / packedBlock
        let bias = packed.assumingMemoryBound(to: Int32.self)
        let requantization = PackedRequantization(base: bias + blocks * packedBlock, channels: blocks * packedBlock)
        let weights = packed + 4 * blocks * packedBlock * 4
        let zeroPoint = Int8(truncatingIfNeeded: p.inputZeroPoint)
        // Three stack buffers of at most 1,024 bytes each (stack allocation is guaranteed there).
        withUnsafeTemporaryAllocation(of: Int8.self, capacity: maximumPackedField + 1) { bufferA in
            withUnsafeTemporaryAllocation(of: Int8.self, capacity: maximumPackedField + 1) { bufferB in
                withUnsafeTemporaryAllocation(of: Int32.self, capacity: 2 * packedBlock + 4) { accumulators in
                    let gatheredA = bufferA.baseAddress!
                    let gatheredB = bufferB.baseAddress!
                    let accA = accumulators.baseAddress!
                    let accB = accA + packedBlock
                    let scratch = UnsafeMutableRawPointer(accA + 2 * packedBlock).bindMemory(to: Int8.self, capacity: packedBlock)
                    for i in field..<padded {
                        gatheredA[i] = 0
                        gatheredB[i] = 0
                    }
                    for outY in 0..<p.output.height {
                        var outX = 0
                        while outX < p.output.width {
                            let both = outX + 1 < p.output.width
                            gather(p, input: input, outY: outY, outX: outX, zeroPoint: zeroPoint, into: gatheredA, rowStride: rowLength,
                                   avx512: avx512Gather)
                            if both {
                                gather(p, input: input, outY: outY, outX: outX + 1, zeroPoint: zeroPoint, into: gatheredB,
                                       rowStride: rowLength, avx512: avx512Gather)
                            }
                            let outA = output + (outY * p.output.width + outX) * p.output.channels
                            for block in 0..<blocks {
                                let first = block * packedBlock
                                for c in 0..<packedBlock {
                                    accA[c] = bias[first + c]
                                    accB[c] = bias[first + c]
                                }
                                dotBlock2(weights + block * packedBlock * padded * weightSize, field: padded,
                                          gatheredA, both ? gatheredB : gatheredA, accA, accB, avx2: avx2)
                                let count = min(packedBlock, p.output.channels - first)
                                store(accA, count: count, p, requantization, firstChannel: first, to: outA + first,
                                      scratch: scratch, avx2: avx2)
                                if both {
                                    store(accB, count: count, p, requantization, firstChannel: first,
                                          to: outA + p.output.channels + first, scratch: scratch, avx2: avx2)
                                }
                            }
                            outX += 2
                        }
                    }
                }
            }
        }
    }

    /// The packed per-channel requantisation: multipliers, left shifts, right shifts as `min(shift, 0)`.
    struct PackedRequantization {
        var base: UnsafePointer<Int32>
        var channels: Int
        var multipliers: UnsafePointer<Int32> { base }
        var lefts: UnsafePointer<Int32> { base + channels }
        var negativeRights: UnsafePointer<Int32> { base + 2 * channels }

        /// 1 if any of the first `count` channels shifts left, else 0 (the tiles then skip the shift).
        func anyLeftShift(_ count: Int) -> Int32 {
            var any: Int32 = 0
            for c in 0..<count { any |= lefts[c] }
            return any == 0 ? 0 : 1
        }

        #if arch(x86_64) || arch(arm64)
        /// The C tiles' view of channels `first...` of op `p`'s double rounding and output stage.
        @inline(__always)
        func tileRequantization(_ p: ConvolutionParameters, first: Int, anyLeftShift: Int32, maxPool: Bool) -> fz_requantization {
            fz_requantization(
                multiplier: multipliers + first, left: lefts + first, neg_right: negativeRights + first,
                zero_point: p.outputZeroPoint, output_min: p.outputMin, output_max: p.outputMax,
                any_left_shift: anyLeftShift, max_pool: maxPool ? 1 : 0)
        }
        #endif
    }

    /// Requantizes `count` (at most 16) accumulators of channels `firstChannel...` into `out`;
    /// `scratch`: 16 bytes for a partial block.
    @inline(__always)
    static func store(
        _ acc: UnsafePointer<Int32>, count: Int, _ p: ConvolutionParameters, _ r: PackedRequantization,
        firstChannel: Int, to out: UnsafeMutablePointer<Int8>, scratch: UnsafeMutablePointer<Int8>, avx2: Bool
    ) {
        // A vectorised requantisation writes the block whole: into `out` when it has 16
        // channels, else via `scratch`.
        #if arch(arm64)
        // NEON for both roundings.
        let destination = count == packedBlock ? out : scratch
        if p.rounding == .double {
            fz_neon_requantize_double_16(
                acc, r.multipliers + firstChannel, r.lefts + firstChannel, r.negativeRights + firstChannel,
                p.outputZeroPoint, p.outputMin, p.outputMax, destination)
        } else {
            fz_neon_requantize_single_16(
                acc, r.multipliers + firstChannel, r.lefts + firstChannel, r.negativeRights + firstChannel,
                p.outputZeroPoint, p.outputMin, p.outputMax, destination)
        }
        if count < packedBlock { out.update(from: scratch, count: count) }
        #else
        #if arch(x86_64)
        if avx2 && p.rounding == .double {
            let destination = count == packedBlock ? out : scratch
            fz_avx2_requantize_double_16(
                acc, r.multipliers + firstChannel, r.lefts + firstChannel, r.negativeRights + firstChannel,
                p.outputZeroPoint, p.outputMin, p.outputMax, destination)
            if count < packedBlock { out.update(from: scratch, count: count) }
            return
        }
        #endif
        for c in 0..<count {
            let channel = firstChannel + c
            out[c] = requantizeToInt8(
                acc[c], multiplier: r.multipliers[channel], shift: r.lefts[channel] &+ r.negativeRights[channel],
                rounding: p.rounding, outputZeroPoint: p.outputZeroPoint,
                outputMin: p.outputMin, outputMax: p.outputMax)
        }
        #endif
    }

    /// `acc += w . x` for one block of 16 channels (weights at `w` in this ISA's layout) and two
    /// receptive fields of `field` values (padded to `fieldAlignment`). `avx2`: x86-64 only, the
    /// plan's variant is `avx2Pairs`.
    @inline(__always)
    static func dotBlock2(
        _ w: UnsafeRawPointer, field: Int, _ xa: UnsafePointer<Int8>, _ xb: UnsafePointer<Int8>,
        _ accA: UnsafeMutablePointer<Int32>, _ accB: UnsafeMutablePointer<Int32>, avx2: Bool
    ) {
        #if arch(arm64)
        fz_neon_dot_16x2(w.assumingMemoryBound(to: Int8.self), field, xa, xb, field / 16, accA, accB)
        #elseif arch(x86_64)
        if avx2 {
            fz_avx2_dot_pairs_16x2(w.assumingMemoryBound(to: Int16.self), xa, xb, field / 2, accA, accB)
        } else {
            fz_sse2_dot_pairs_16x2(w.assumingMemoryBound(to: Int16.self), xa, xb, field / 2, accA, accB)
        }
        #else
        dotPairs(w.assumingMemoryBound(to: Int16.self), xa, pairs: field / 2, into: accA)
        dotPairs(w.assumingMemoryBound(to: Int16.self), xb, pairs: field / 2, into: accB)
        #endif
    }

    /// The variant `dotBlock2` runs on this ISA (`avx2` as there).
    @inline(__always)
    static func pairsVariant(avx2: Bool) -> KernelVariant {
        #if arch(arm64)
        .neonRows
        #elseif arch(x86_64)
        avx2 ? .avx2Pairs : .sse2Pairs
        #else
        .portablePairs
        #endif
    }

    /// The portable loop over 16 accumulators at `accumulators`.
    @inline(__always)
    static func dotPairs(_ w: UnsafePointer<Int16>, _ x: UnsafePointer<Int8>, pairs: Int, into accumulators: UnsafeMutablePointer<Int32>) {
        var acc = ChannelBlock(repeating: 0)
        for c in 0..<packedBlock { acc[c] = accumulators[c] }
        dotPairs(w, x, pairs: pairs, into: &acc)
        for c in 0..<packedBlock { accumulators[c] = acc[c] }
    }

    /// The receptive field of output pixel (`outY`, `outX`) in weight order `[ky][kx][inChannel]`,
    /// with `zeroPoint` for taps outside the image; kernel row `ky` starts at `ky * rowStride`
    /// (at least `kernelWidth * inChannels`; the bytes between rows are left as they are).
    /// `avx512`: the plan's gather is `GatherVariant.avx512` (x86-64 only).
    @inline(__always)
    static func gather(
        _ p: ConvolutionParameters, input: UnsafePointer<Int8>, outY: Int, outX: Int, zeroPoint: Int8,
        into gathered: UnsafeMutablePointer<Int8>, rowStride: Int, avx512: Bool
    ) {
        let inChannels = p.input.channels
        let rowLength = p.kernelWidth * inChannels
        let inX0 = outX * p.strideWidth - p.padLeft
        #if arch(x86_64)
        if avx512 {
            fz_avx512_gather(
                input, p.input.height, p.input.width, inChannels, outY * p.strideHeight - p.padTop, inX0, p.kernelHeight,
                rowLength, zeroPoint, gathered, rowStride)
            return
        }
        #endif
        let first = max(0, -inX0)
        let last = max(first, min(p.kernelWidth, p.input.width - inX0))
        for kernelY in 0..<p.kernelHeight {
            let row = gathered + kernelY * rowStride
            let inY = outY * p.strideHeight - p.padTop + kernelY
            // Plain loops: the rows are a few dozen bytes, shorter than a memcpy call is worth
            // (with update(from:) above 32 bytes the aarch64 count rose from 10.28 M to 13.24 M
            // for one inference run).
            if inY < 0 || inY >= p.input.height || first == last {
                for i in 0..<rowLength { row[i] = zeroPoint }
                continue
            }
            let inside = first * inChannels..<last * inChannels
            let source = input + (inY * p.input.width + inX0) * inChannels
            for i in 0..<inside.lowerBound { row[i] = zeroPoint }
            for i in inside { row[i] = source[i] }
            for i in inside.upperBound..<rowLength { row[i] = zeroPoint }
        }
    }

    /// `acc[c] += sum_k w[k][c][0] * x[2k] + w[k][c][1] * x[2k+1]` for the 16 channels of a block.
    @inline(__always)
    static func dotPairs(_ w: UnsafePointer<Int16>, _ x: UnsafePointer<Int8>, pairs: Int, into acc: inout ChannelBlock) {
        for k in 0..<pairs {
            let x0 = Int32(x[2 * k])
            let x1 = Int32(x[2 * k + 1])
            let wk = w + k * packedBlock * 2
            for c in 0..<packedBlock {
                acc[c] &+= Int32(wk[2 * c]) &* x0 &+ Int32(wk[2 * c + 1]) &* x1
            }
        }
    }
}

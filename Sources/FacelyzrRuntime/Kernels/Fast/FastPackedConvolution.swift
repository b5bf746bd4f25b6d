import CFacelyzrSIMD

// conv2D over weights packed at load (docs/kernels.md): for each output pixel the receptive
// field is gathered into a small stack buffer (taps outside the image get the value
// inputZeroPoint), then every block of 16 output channels is one pass over it; a field over
// the buffer goes in chunks of whole kernel rows, summed into the same int32 accumulators. The op's
// `KernelPlan` names the variant: quad tiles (FastQuadConvolution.swift) or pixel lanes
// (FastPixelLanesConvolution.swift) where the planner gives them; otherwise, on aarch64, int8
// weight rows, smull/smlal2/sadalp (or sdot when built for ARMv8.2 dot product), CFacelyzrSIMD;
// elsewhere int16 pair products, acc[c] += w[c][2k] * x[2k] + w[c][2k+1] * x[2k+1] (x86-64:
// pmaddwd). Weights are in [-127, 127] (docs/quantization.md), which keeps both exact.

extension Fast {
    /// Output channels per packed block (one `ChannelBlock` of accumulators).
    static let packedBlock = 16
    /// Largest receptive field (`kernelHeight * kernelWidth * inChannels`) the packed kernels
    /// gather at once: quad tiles and pixel lanes take no larger field, int16 pairs and int8 rows
    /// take one in chunks of whole kernel rows of at most this many bytes (`chunkRows`); a kernel
    /// row over it keeps the canonical weights. The gather buffer (1,024 bytes) also holds the
    /// zeros that pad a chunk to `fieldAlignment`.
    static let maximumPackedField = 1008
    /// Output channel blocks whose int32 accumulators (two pixels each) a chunked field keeps
    /// between chunks: 1,024 bytes, as the gather buffers.
    static let chunkedBlocks = 8

    /// The CPU features `Model.packWeights` plans the fast kernels for: this machine's.
    public static var plannedFeatures: CPUFeatures? { .detected }

    #if arch(arm64)
    /// aarch64 weights: int8 rows, per block and chunk `[16 channels][chunk rounded up to 16]`.
    static let fieldAlignment = 16
    static let weightSize = 1
    typealias PackedWeight = Int8
    #else
    /// Other ISAs: int16 pairs, per block and chunk `[pair][16 channels][2]`.
    static let fieldAlignment = 2
    static let weightSize = 2
    typealias PackedWeight = Int16
    #endif

    /// Where tap `tap` of channel `c` (of 16) goes in a chunk of `padded` taps, in `PackedWeight`s.
    @inline(__always)
    static func packedIndex(channel c: Int, tap: Int, padded: Int) -> Int {
        #if arch(arm64)
        c * padded + tap
        #else
        (tap / 2 * packedBlock + c) * 2 + tap % 2
        #endif
    }

    @inline(__always)
    static func aligned(_ taps: Int) -> Int { (taps + fieldAlignment - 1) / fieldAlignment * fieldAlignment }

    /// Kernel rows per chunk of the pairs and rows kernels: as many whole rows as fit
    /// `maximumPackedField` bytes (all of them for a field that fits; the last chunk may have fewer).
    @inline(__always)
    static func chunkRows(_ p: ConvolutionParameters) -> Int {
        min(p.kernelHeight, maximumPackedField / (p.kernelWidth * p.input.channels))
    }

    /// The packed taps of one channel for the pairs and rows kernels: its chunks, each padded to
    /// `fieldAlignment`.
    @inline(__always)
    static func paddedField(_ p: ConvolutionParameters) -> Int {
        let rows = chunkRows(p)
        let rowLength = p.kernelWidth * p.input.channels
        let rest = p.kernelHeight % rows
        return p.kernelHeight / rows * aligned(rows * rowLength) + (rest == 0 ? 0 : aligned(rest * rowLength))
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
        // Per block of 16 channels, chunk after chunk (`chunkRows`), each padded with zero weights.
        let padded = paddedField(p)
        let rows = chunkRows(p)
        let rowLength = p.kernelWidth * p.input.channels
        let weights = (destination + 4 * channels * 4).bindMemory(to: PackedWeight.self, capacity: channels * padded)
        for firstRow in stride(from: 0, to: p.kernelHeight, by: rows) {
            let chunkField = min(rows, p.kernelHeight - firstRow) * rowLength
            let chunkPadded = aligned(chunkField)
            let chunkStart = firstRow / rows * aligned(rows * rowLength)
            for channel in 0..<channels {
                let chunk = weights + (channel / packedBlock * padded + chunkStart) * packedBlock
                let real = channel < p.output.channels
                for tap in 0..<chunkPadded {
                    let value = real && tap < chunkField ? filter.weights[channel * field + firstRow * rowLength + tap] : 0
                    chunk[packedIndex(channel: channel % packedBlock, tap: tap, padded: chunkPadded)] = PackedWeight(value)
                }
            }
        }
    }

    /// `conv2D` over `packed`, laid out by `pack` for `plan` (whose mode is `pairs`). Output
    /// pixels go in pairs along a row, so each weight load serves two receptive fields. A field
    /// of several chunks (`chunkRows`) is gathered chunk by chunk for up to `chunkedBlocks`
    /// blocks at a time, whose accumulators add every chunk before they are requantised.
    static func packedConv2D(
        _ p: ConvolutionParameters, input: UnsafePointer<Int8>, packed: UnsafeRawPointer, output: UnsafeMutablePointer<Int8>,
        plan: KernelPlan
    ) {
        let avx2 = plan.variant == .avx2Pairs
        let avx512Gather = plan.gather == .avx512
        trace(.conv2D, pairsVariant(avx2: avx2), .pairs, gather: plan.gather)
        let rowLength = p.kernelWidth * p.input.channels
        let padded = paddedField(p)
        let rows = chunkRows(p)
        let chunks = (p.kernelHeight + rows - 1) / rows
        let fullPadded = aligned(rows * rowLength)
        let lastField = (p.kernelHeight - (chunks - 1) * rows) * rowLength
        let blocks = (p.output.channels + packedBlock - 1) / packedBlock
        // One chunk: one block's accumulators at a time, every block per gather.
        let slots = chunks == 1 ? 1 : min(blocks, chunkedBlocks)
        let groupBlocks = chunks == 1 ? blocks : slots
        let bias = packed.assumingMemoryBound(to: Int32.self)
        let requantization = PackedRequantization(base: bias + blocks * packedBlock, channels: blocks * packedBlock)
        let weights = packed + 4 * blocks * packedBlock * 4
        let zeroPoint = Int8(truncatingIfNeeded: p.inputZeroPoint)
        // Four stack buffers of at most 1,024 bytes each (stack allocation is guaranteed there).
        withUnsafeTemporaryAllocation(of: Int8.self, capacity: maximumPackedField + 1) { bufferA in
            withUnsafeTemporaryAllocation(of: Int8.self, capacity: maximumPackedField + 1) { bufferB in
                withUnsafeTemporaryAllocation(of: Int32.self, capacity: 2 * packedBlock * chunkedBlocks) { accumulators in
                    withUnsafeTemporaryAllocation(of: Int8.self, capacity: packedBlock) { scratchBuffer in
                    let gatheredA = bufferA.baseAddress!
                    let gatheredB = bufferB.baseAddress!
                    let scratch = scratchBuffer.baseAddress!
                    // The padding taps meet zero weights: zeros here, or what a longer chunk left.
                    for i in lastField..<fullPadded {
                        gatheredA[i] = 0
                        gatheredB[i] = 0
                    }
                    for outY in 0..<p.output.height {
                        var outX = 0
                        while outX < p.output.width {
                            let both = outX + 1 < p.output.width
                            let outA = output + (outY * p.output.width + outX) * p.output.channels
                            for groupStart in stride(from: 0, to: blocks, by: groupBlocks) {
                                for chunk in 0..<chunks {
                                    let kernelRows = chunk * rows..<min(p.kernelHeight, (chunk + 1) * rows)
                                    let chunkPadded = aligned(kernelRows.count * rowLength)
                                    gather(p, input: input, outY: outY, outX: outX, kernelRows: kernelRows, zeroPoint: zeroPoint,
                                           into: gatheredA, rowStride: rowLength, avx512: avx512Gather)
                                    if both {
                                        gather(p, input: input, outY: outY, outX: outX + 1, kernelRows: kernelRows,
                                               zeroPoint: zeroPoint, into: gatheredB, rowStride: rowLength, avx512: avx512Gather)
                                    }
                                    for block in groupStart..<min(blocks, groupStart + groupBlocks) {
                                        let first = block * packedBlock
                                        let accA = accumulators.baseAddress! + (block - groupStart) % slots * 2 * packedBlock
                                        let accB = accA + packedBlock
                                        if chunk == 0 {
                                            for c in 0..<packedBlock {
                                                accA[c] = bias[first + c]
                                                accB[c] = bias[first + c]
                                            }
                                        }
                                        dotBlock2(weights + (first * padded + packedBlock * chunk * fullPadded) * weightSize,
                                                  field: chunkPadded, gatheredA, both ? gatheredB : gatheredA, accA, accB, avx2: avx2)
                                        if chunk == chunks - 1 {
                                            let count = min(packedBlock, p.output.channels - first)
                                            store(accA, count: count, p, requantization, firstChannel: first, to: outA + first,
                                                  scratch: scratch, avx2: avx2)
                                            if both {
                                                store(accB, count: count, p, requantization, firstChannel: first,
                                                      to: outA + p.output.channels + first, scratch: scratch, avx2: avx2)
                                            }
                                        }
                                    }
                                }
                            }
                            outX += 2
                        }
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

    /// Kernel rows `kernelRows` of the receptive field of output pixel (`outY`, `outX`) in weight
    /// order `[ky][kx][inChannel]`, with `zeroPoint` for taps outside the image; kernel row `ky`
    /// starts at `(ky - kernelRows.lowerBound) * rowStride`
    /// (at least `kernelWidth * inChannels`; the bytes between rows are left as they are).
    /// `avx512`: the plan's gather is `GatherVariant.avx512` (x86-64 only).
    @inline(__always)
    static func gather(
        _ p: ConvolutionParameters, input: UnsafePointer<Int8>, outY: Int, outX: Int, kernelRows: Range<Int>, zeroPoint: Int8,
        into gathered: UnsafeMutablePointer<Int8>, rowStride: Int, avx512: Bool
    ) {
        let inChannels = p.input.channels
        let rowLength = p.kernelWidth * inChannels
        let inX0 = outX * p.strideWidth - p.padLeft
        #if arch(x86_64)
        if avx512 {
            fz_avx512_gather(
                input, p.input.height, p.input.width, inChannels, outY * p.strideHeight - p.padTop + kernelRows.lowerBound, inX0,
                kernelRows.count,
                rowLength, zeroPoint, gathered, rowStride)
            return
        }
        #endif
        let first = max(0, -inX0)
        let last = max(first, min(p.kernelWidth, p.input.width - inX0))
        for kernelY in kernelRows {
            let row = gathered + (kernelY - kernelRows.lowerBound) * rowStride
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

#if arch(x86_64) || arch(arm64)
import CFacelyzrSIMD

// conv2D in tiles of 4 output pixels over quads of int8 products (docs/kernels.md): x86-64 with
// AVX-512 VNNI (vpdpbusd); aarch64 built for the ARMv8.2 dot product (indexed sdot, Pi 5
// class) or ARMv8.0 (smull/smlal pairs, Pi 4); the op's `KernelPlan` says which, and whether
// it runs (`KernelPlan.init(conv2D:features:fusingMaxPool:)`). vpdpbusd multiplies unsigned by
// signed bytes, so that kernel feeds it x XOR 0x80 = x + 128 and its packed bias subtracts
// (inputZeroPoint + 128) * sum(w): exact, as the zero-point folding of docs/quantization.md;
// sdot is signed by signed. Weights are packed per kernel row, each row's kernelWidth *
// inChannels values padded with zero weights to a multiple of 4 (`quadRowStride`), so a pixel
// whose window lies inside the image reads its rows in place from the input (no gather);
// windows that cross the left or right border are gathered, and rows above or below the image
// read a row of zero points: the tile's indirection buffer (`QuadIndirection`) says where each
// row is read. A tile is 4 output pixels along a row x up to 64 channels; the accumulators stay
// in registers and are requantised there (fz_avx512vnni_conv_tile, fz_neon_sdot_conv_tile; the
// single rounding mode goes through memory and `store`: NEON on aarch64, the scalar
// requantizeToInt8 on x86-64).

extension Fast {
    /// Output pixels per tile.
    static let quadPixels = 4
    /// Blocks of 16 channels one tile call computes.
    static let quadGroups = 4
    /// Kernel rows and gathered bytes the stack buffers hold; the planner gives larger ops the
    /// ISA's other layout and kernel.
    static let quadMaximumRows = 32
    static let quadFieldCapacity = 1008

    /// Bytes of one packed kernel row: `kernelWidth * inChannels` rounded up to 4.
    @inline(__always)
    static func quadRowStride(_ p: ConvolutionParameters) -> Int {
        (p.kernelWidth * p.input.channels + 3) / 4 * 4
    }

    /// Weights as int8 `[block of 16 channels][kernel row][quad][16][4]` (zero beyond the
    /// channels and beyond each row's `rowLength` values), the field of each channel cut into
    /// `rows` rows of `rowLength`.
    static func packQuadWeights(
        _ p: ConvolutionParameters, filter: ChannelwiseWeights, into weights: UnsafeMutablePointer<Int8>, blocks: Int,
        rows: Int, rowLength: Int
    ) {
        let field = rows * rowLength
        let quads = (rowLength + 3) / 4
        var index = 0
        for block in 0..<blocks {
            for row in 0..<rows {
                for quad in 0..<quads {
                    for c in 0..<packedBlock {
                        let channel = block * packedBlock + c
                        for j in 0..<4 {
                            let tap = 4 * quad + j
                            weights[index] = channel < p.output.channels && tap < rowLength
                                ? filter.weights[channel * field + row * rowLength + tap] : 0
                            index += 1
                        }
                    }
                }
            }
        }
    }

    /// The variant the tiles below run on this ISA (`sdot`: aarch64 only, the plan's variant
    /// is `neonSdotQuads`).
    @inline(__always)
    static func quadVariant(sdot: Bool) -> KernelVariant {
        #if arch(x86_64)
        .avx512QuadTiles
        #else
        sdot ? .neonSdotQuads : .neonSmullQuads
        #endif
    }

    /// The tile of the variant (arguments as fz_avx512vnni_conv_tile).
    @inline(__always)
    static func quadTile(
        _ sdot: Bool, _ w: UnsafePointer<Int8>, _ groupStride: Int, _ groups: Int, _ x: UnsafePointer<UnsafePointer<Int8>?>, _ rows: Int,
        _ quads: Int, _ bias: UnsafePointer<Int32>, _ r: UnsafePointer<fz_requantization>?, _ out: UnsafeMutablePointer<Int8>,
        _ pixelStride: Int, _ pixels: Int, _ channels: Int, _ acc: UnsafeMutablePointer<Int32>
    ) {
        #if arch(x86_64)
        fz_avx512vnni_conv_tile(w, groupStride, groups, x, rows, quads, bias, r, out, pixelStride, pixels, channels, acc)
        #else
        if sdot {
            fz_neon_sdot_conv_tile(w, groupStride, groups, x, rows, quads, bias, r, out, pixelStride, pixels, channels, acc)
        } else {
            fz_neon_smull_conv_tile(w, groupStride, groups, x, rows, quads, bias, r, out, pixelStride, pixels, channels, acc)
        }
        #endif
    }

    /// `tiles` full tiles of the variant along an output row, double rounding (arguments as
    /// fz_neon_sdot_conv_run). On x86-64 ops with one or two blocks of 16 channels take two tiles
    /// per pass, wider ones one tile after the other (docs/kernels.md).
    @inline(__always)
    static func quadRun(
        _ sdot: Bool, _ w: UnsafePointer<Int8>, _ groupStride: Int, _ groups: Int, _ x: UnsafePointer<UnsafePointer<Int8>?>, _ rows: Int,
        _ quads: Int, _ bias: UnsafePointer<Int32>, _ r: UnsafePointer<fz_requantization>, _ out: UnsafeMutablePointer<Int8>,
        _ pixelStride: Int, _ channels: Int, _ tiles: Int, _ xStep: Int, _ fixed: UnsafePointer<Int8>
    ) {
        #if arch(x86_64)
        fz_avx512vnni_conv_run(w, groupStride, groups, x, rows, quads, bias, r, out, pixelStride, channels, tiles, xStep, fixed)
        #else
        if sdot {
            fz_neon_sdot_conv_run(w, groupStride, groups, x, rows, quads, bias, r, out, pixelStride, channels, tiles, xStep, fixed)
        } else {
            fz_neon_smull_conv_run(w, groupStride, groups, x, rows, quads, bias, r, out, pixelStride, channels, tiles, xStep, fixed)
        }
        #endif
    }

    /// Whether the windows of output columns `outX..<outX + width` lie inside the input
    /// horizontally with their last row's padded read inside the input (their kernel rows are
    /// then read in place).
    @inline(__always)
    static func quadTileInPlace(_ p: ConvolutionParameters, outX: Int, width: Int, lastInY: Int, rowStride: Int, inputBytes: Int) -> Bool {
        let firstInX = outX * p.strideWidth - p.padLeft
        let lastInX = (outX + width - 1) * p.strideWidth - p.padLeft
        return outX + width <= p.output.width && firstInX >= 0 && lastInX + p.kernelWidth <= p.input.width
            && (lastInY * p.input.width + lastInX) * p.input.channels + rowStride <= inputBytes
    }

    /// `p` with its padding made explicit: the input copied to `scratch` with rows and columns of
    /// the input zero point around it, so every window reads its kernel rows in place (no
    /// gathered borders, no row of zero points, whole output rows in one run), or nil when `p`
    /// has no padding or the copy does not fit in `capacity` bytes.
    static func explicitlyPadded(
        _ p: ConvolutionParameters, input: UnsafePointer<Int8>, into scratch: UnsafeMutablePointer<Int8>, capacity: Int
    ) -> (ConvolutionParameters, UnsafePointer<Int8>)? {
        let padBottom = max(0, (p.output.height - 1) * p.strideHeight + p.kernelHeight - p.input.height - p.padTop)
        let padRight = max(0, (p.output.width - 1) * p.strideWidth + p.kernelWidth - p.input.width - p.padLeft)
        guard p.padTop + padBottom + p.padLeft + padRight > 0 else { return nil }
        let channels = p.input.channels
        let height = p.input.height + p.padTop + padBottom
        let rowBytes = (p.input.width + p.padLeft + padRight) * channels
        guard height * rowBytes <= capacity else { return nil }
        let zeroPoint = Int8(truncatingIfNeeded: p.inputZeroPoint)
        let left = p.padLeft * channels
        let inner = p.input.width * channels
        // Plain loops (vectorised): Embedded Swift made update(from:count:) a call per byte.
        for y in 0..<height {
            let row = scratch + y * rowBytes
            let inY = y - p.padTop
            guard inY >= 0 && inY < p.input.height else {
                for i in 0..<rowBytes { row[i] = zeroPoint }
                continue
            }
            let source = input + inY * inner
            for i in 0..<left { row[i] = zeroPoint }
            for i in 0..<inner { row[left + i] = source[i] }
            for i in (left + inner)..<rowBytes { row[i] = zeroPoint }
        }
        var padded = p
        padded.input = TensorShape(height: height, width: rowBytes / channels, channels: channels)
        padded.padTop = 0
        padded.padLeft = 0
        return (padded, UnsafePointer(scratch))
    }

    /// The indirection buffer of a tile (as XNNPACK calls it): for each kernel row and each of
    /// the tile's 4 convolution pixels, where the tile reads that row's `rowStride` bytes: in
    /// place in the input, the row of zero points (a row above or below the image), or the
    /// pixel's gathered field (a window across the left or right border, or whose last row's
    /// padded read would pass the input's end). `quadConv2D` fills it for each tile, then calls
    /// the tile (or the run, which moves it along the row itself).
    struct QuadIndirection {
        var p: ConvolutionParameters
        var input: UnsafePointer<Int8>
        /// `[kernel row][pixel]`: `quadPixels * p.kernelHeight` pointers.
        var pointers: UnsafeMutablePointer<UnsafePointer<Int8>?>
        /// Each pixel's gathered field (`p.kernelHeight * rowStride` bytes).
        var fields: (UnsafeMutablePointer<Int8>, UnsafeMutablePointer<Int8>, UnsafeMutablePointer<Int8>, UnsafeMutablePointer<Int8>)
        var zeroRow: UnsafePointer<Int8>
        var rowStride: Int
        var avx512Gather: Bool

        /// Points the buffer at the tile of convolution pixels (`y`, `x`) from (`convY`,
        /// `convX`): `count` pixels along the row (the last one repeated to fill 4), or with
        /// `maxPool` the 2x2 window there. `lastInY`: the last input row the tile's windows read;
        /// `inPlace`: every window lies inside the input (`quadTileInPlace`).
        @inline(__always)
        func setTile(convY: Int, convX: Int, count: Int, maxPool: Bool, lastInY: Int, inPlace: Bool) {
            let inChannels = p.input.channels
            let inputRow = p.input.width * inChannels
            let inputBytes = p.input.height * inputRow
            let zeroPoint = Int8(truncatingIfNeeded: p.inputZeroPoint)
            for pixel in 0..<quadPixels {
                let y = maxPool ? convY + pixel / 2 : convY
                let x = maxPool ? convX + pixel % 2 : convX + min(pixel, count - 1)
                let firstInY = y * p.strideHeight - p.padTop
                let inX0 = x * p.strideWidth - p.padLeft
                let pixelInPlace = inPlace || (inX0 >= 0 && inX0 + p.kernelWidth <= p.input.width
                    && (lastInY * p.input.width + inX0) * inChannels + rowStride <= inputBytes)
                let gathered: UnsafeMutablePointer<Int8>
                switch pixel {
                case 0: gathered = fields.0
                case 1: gathered = fields.1
                case 2: gathered = fields.2
                default: gathered = fields.3
                }
                if !pixelInPlace {
                    gather(p, input: input, outY: y, outX: x, kernelRows: 0..<p.kernelHeight, zeroPoint: zeroPoint, into: gathered,
                           rowStride: rowStride, avx512: avx512Gather)
                }
                for row in 0..<p.kernelHeight {
                    let inY = firstInY + row
                    let pointer: UnsafePointer<Int8>
                    if !pixelInPlace {
                        pointer = UnsafePointer(gathered + row * rowStride)
                    } else if inY < 0 || inY >= p.input.height {
                        pointer = zeroRow
                    } else {
                        pointer = input + inY * inputRow + inX0 * inChannels
                    }
                    pointers[row * quadPixels + pixel] = pointer
                }
            }
        }
    }

    /// `conv2D` over weights packed by `packQuadWeights` for `plan` (a quad-tile variant; mode
    /// `runs`: the in-place tiles of an output row run in one C call). With `maxPool` (only
    /// where `plan.maxPool` is `inKernel`), the output is that of a 2x2 max pool, stride 2,
    /// applied to the convolution's: each tile is then the 2x2 window of one pooled pixel, and
    /// the tile takes the maximum of its 4 accumulators before requantising
    /// (`fz_requantization.max_pool`).
    static func quadConv2D(
        _ p: ConvolutionParameters, input: UnsafePointer<Int8>, packed: UnsafeRawPointer, output: UnsafeMutablePointer<Int8>,
        plan: KernelPlan, maxPool: Bool = false
    ) {
        let sdot = plan.variant == .neonSdotQuads
        let inChannels = p.input.channels
        let rowStride = quadRowStride(p)
        let rows = p.kernelHeight
        let blocks = (p.output.channels + packedBlock - 1) / packedBlock
        let bias = packed.assumingMemoryBound(to: Int32.self)
        let requantization = PackedRequantization(base: bias + blocks * packedBlock, channels: blocks * packedBlock)
        let weights = (packed + 4 * blocks * packedBlock * 4).assumingMemoryBound(to: Int8.self)
        let groupStride = rows * rowStride * packedBlock
        let zeroPoint = Int8(truncatingIfNeeded: p.inputZeroPoint)
        let inputBytes = p.input.height * p.input.width * inChannels
        let runs = plan.mode == .runs
        trace(.conv2D, quadVariant(sdot: sdot), runs ? .runs : .tiles, pooled: maxPool, gather: plan.gather)
        let anyLeftShift = requantization.anyLeftShift(p.output.channels)
        // Stack buffers of at most 1,024 bytes each (stack allocation is guaranteed there):
        // 4 gathered fields, one row of zero points, the row pointers of a tile, accumulators
        // and a partial block's bytes (single rounding only).
        withUnsafeTemporaryAllocation(of: Int8.self, capacity: quadFieldCapacity) { field0 in
        withUnsafeTemporaryAllocation(of: Int8.self, capacity: quadFieldCapacity) { field1 in
        withUnsafeTemporaryAllocation(of: Int8.self, capacity: quadFieldCapacity) { field2 in
        withUnsafeTemporaryAllocation(of: Int8.self, capacity: quadFieldCapacity) { field3 in
        withUnsafeTemporaryAllocation(of: Int8.self, capacity: quadFieldCapacity) { zeroRowBuffer in
        withUnsafeTemporaryAllocation(of: UnsafePointer<Int8>?.self, capacity: quadPixels * quadMaximumRows) { rowPointers in
        withUnsafeTemporaryAllocation(of: Int32.self, capacity: quadPixels * quadGroups * packedBlock) { accumulators in
        withUnsafeTemporaryAllocation(of: Int8.self, capacity: packedBlock) { partialBlock in
            let blockScratch = partialBlock.baseAddress!
            let fields = (field0.baseAddress!, field1.baseAddress!, field2.baseAddress!, field3.baseAddress!)
            let zeroRow = zeroRowBuffer.baseAddress!
            let pointers = rowPointers.baseAddress!
            let acc = accumulators.baseAddress!
            for i in 0..<rowStride { zeroRow[i] = zeroPoint }
            for i in 0..<rows * rowStride {
                fields.0[i] = 0
                fields.1[i] = 0
                fields.2[i] = 0
                fields.3[i] = 0
            }
            let indirection = QuadIndirection(
                p: p, input: input, pointers: pointers, fields: fields, zeroRow: UnsafePointer(zeroRow), rowStride: rowStride,
                avx512Gather: plan.gather == .avx512)
            // A tile is 4 convolution pixels: along a row, or the 2x2 window of one pooled pixel.
            // `tileWidth` convolution columns, writing `count` output pixels from (outY, outX).
            let tileWidth = maxPool ? 2 : quadPixels
            let outHeight = maxPool ? p.output.height / 2 : p.output.height
            let outWidth = maxPool ? p.output.width / 2 : p.output.width
            for outY in 0..<outHeight {
                let convY = maxPool ? 2 * outY : outY
                let inY0 = convY * p.strideHeight - p.padTop
                let lastInY = min(p.input.height - 1, inY0 + (maxPool ? p.strideHeight : 0) + rows - 1)
                var outX = 0
                while outX < outWidth {
                    let count = maxPool ? 1 : min(quadPixels, outWidth - outX)
                    let convX = maxPool ? 2 * outX : outX
                    func inPlaceTile(_ tile: Int) -> Bool {
                        quadTileInPlace(p, outX: convX + tile * tileWidth, width: tileWidth, lastInY: lastInY, rowStride: rowStride,
                                        inputBytes: inputBytes)
                    }
                    let inPlace = inPlaceTile(0)
                    // The in-place tiles that follow run in C (one call) in mode `runs`.
                    var tiles = 1
                    let run = inPlace && runs
                    if run {
                        while inPlaceTile(tiles) { tiles += 1 }
                    }
                    indirection.setTile(convY: convY, convX: convX, count: count, maxPool: maxPool, lastInY: lastInY, inPlace: inPlace)
                    var block = 0
                    while block < blocks {
                        let first = block * packedBlock
                        let channels = min(quadGroups * packedBlock, p.output.channels - first)
                        let out = output + (outY * outWidth + outX) * p.output.channels + first
                        if runs {
                            var r = requantization.tileRequantization(p, first: first, anyLeftShift: anyLeftShift, maxPool: maxPool)
                            withUnsafePointer(to: &r) { r in
                                if run {
                                    quadRun(
                                        sdot, weights + block * groupStride, groupStride, min(quadGroups, blocks - block), pointers,
                                        rows, rowStride / 4, bias + first, r, out, p.output.channels, channels,
                                        tiles, tileWidth * p.strideWidth * inChannels, zeroRow)
                                    return
                                }
                                quadTile(
                                    sdot, weights + block * groupStride, groupStride, min(quadGroups, blocks - block), pointers,
                                    rows, rowStride / 4, bias + first, r, out, p.output.channels, count, channels, acc)
                            }
                        } else {
                            quadTile(
                                sdot, weights + block * groupStride, groupStride, min(quadGroups, blocks - block), pointers,
                                rows, rowStride / 4, bias + first, nil, out, p.output.channels, count, channels, acc)
                            // Each pixel's blocks of 16 channels as every packed kernel stores
                            // them (`store`: vectorised on aarch64, scalar on x86-64).
                            for pixel in 0..<count {
                                var c = 0
                                while c < channels {
                                    store(acc + pixel * quadGroups * packedBlock + c, count: min(packedBlock, channels - c), p,
                                          requantization, firstChannel: first + c, to: out + pixel * p.output.channels + c,
                                          scratch: blockScratch, avx2: false)
                                    c += packedBlock
                                }
                            }
                        }
                        block += quadGroups
                    }
                    outX += tiles * count
                }
            }
        }
        }
        }
        }
        }
        }
        }
        }
    }
}
#endif

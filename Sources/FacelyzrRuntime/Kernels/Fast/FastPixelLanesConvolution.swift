#if arch(x86_64)
import CFacelyzrSIMD

// conv2D for small receptive fields in pixel lanes (docs/kernels.md): 16 output
// pixels of a row in the lanes of a zmm, the field cut into quads as a whole rather than per
// kernel row, so the first convolution (3x3x3 = 27 bytes) takes 7 vpdpbusd per pixel and 16
// channels instead of the quad tiles' 9; one C call runs the whole op, borders included (masked
// loads give taps outside the image the zero point). x86-64 with AVX-512 VNNI and VBMI, for
// the ops the planner gives them (`KernelVariant.avx512PixelLanes`), fz_avx512vnni_lanes_conv.

extension Fast {
    /// Bytes of one block of 16 channels' weights: the field in quads.
    @inline(__always)
    static func pixelLanesBlockStride(_ p: ConvolutionParameters) -> Int {
        (p.kernelHeight * p.kernelWidth * p.input.channels + 3) / 4 * 4 * packedBlock
    }

    /// Where the op's `fz_lanes_plan` lies in its packed buffer: after the per-channel constants
    /// and the weights (made once by `pack`, not on every inference: about 0.6 us for conv 0).
    @inline(__always)
    static func pixelLanesPlanOffset(_ p: ConvolutionParameters) -> Int {
        let blocks = (p.output.channels + packedBlock - 1) / packedBlock
        return blocks * packedBlock * 4 * 4 + blocks * pixelLanesBlockStride(p)
    }

    /// Writes op `p`'s plan into its packed buffer at `pixelLanesPlanOffset(p)`.
    static func packPixelLanesPlan(_ p: ConvolutionParameters, into packed: UnsafeMutableRawPointer) {
        let plan = (packed + pixelLanesPlanOffset(p)).bindMemory(to: fz_lanes_plan.self, capacity: 1)
        fz_lanes_plan_init(plan, p.kernelHeight, p.kernelWidth * p.input.channels, p.input.channels)
    }

    /// `conv2D` (or with `maxPool` the 2x2 max pool of it) over weights packed for pixel lanes
    /// (an op planned as `KernelVariant.avx512PixelLanes`).
    static func pixelLanesConv2D(
        _ p: ConvolutionParameters, input: UnsafePointer<Int8>, packed: UnsafeRawPointer, output: UnsafeMutablePointer<Int8>,
        maxPool: Bool = false
    ) {
        trace(.conv2D, .avx512PixelLanes, .lanes, pooled: maxPool)
        let blocks = (p.output.channels + packedBlock - 1) / packedBlock
        let bias = packed.assumingMemoryBound(to: Int32.self)
        let requantization = PackedRequantization(base: bias + blocks * packedBlock, channels: blocks * packedBlock)
        let weights = (packed + 4 * blocks * packedBlock * 4).assumingMemoryBound(to: Int8.self)
        var r = requantization.tileRequantization(
            p, first: 0, anyLeftShift: requantization.anyLeftShift(p.output.channels), maxPool: maxPool)
        fz_avx512vnni_lanes_conv(
            (packed + pixelLanesPlanOffset(p)).assumingMemoryBound(to: fz_lanes_plan.self), weights, pixelLanesBlockStride(p),
            blocks, bias, &r, input, p.input.height, p.input.width,
            p.input.channels, p.kernelHeight, p.kernelWidth, p.strideHeight, p.padTop, p.padLeft,
            Int8(truncatingIfNeeded: p.inputZeroPoint), output, p.output.height, p.output.width, p.output.channels)
    }
}
#endif

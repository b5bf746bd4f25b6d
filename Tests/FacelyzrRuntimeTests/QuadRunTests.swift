// The quad-tile runs' chunked path (FZ_RUN_CHUNKS in Sources/CFacelyzrSIMD/fz_common.h): a run
// whose kernel rows include the row of zero points reads a local row of zero points that
// advances with the other pointers, and when that row would exceed FZ_RUN_ZERO_ROW (2,048
// bytes) the run goes in chunks. The random cases of FastKernelTests have rows too short for
// that; these do, and must still match Reference bit for bit.
import FacelyzrRandom
import Testing
@testable import FacelyzrRuntime

@Suite struct QuadRunTests {
    /// Two input rows of 76 pixels x 64 channels, 3x3 "same": every output row has a kernel row
    /// above or below the image, and an output row's 17 in-place tiles are 256 bytes apart
    /// (512 with stride 2), so the local zero row holds 8 (4) of them: chunks of 8, 8, 1
    /// (4, 4, 1 with stride 2, 9 tiles). 16 to 64 output channels: 1 to 4 blocks, each ISA's
    /// forms of a run.
    @Test(arguments: [16, 32, 48, 64], [1, 2])
    func chunkedRunsMatchReference(outChannels: Int, stride: Int) {
        var rng = SplitMix64(state: 0xC4E5_0000 &+ UInt64(outChannels * 8 + stride))
        let p = ConvolutionParameters.make(
            input: TensorShape(height: 2, width: 76, channels: 64), outChannels: outChannels, kernel: (3, 3),
            stride: (stride, stride), padding: .same, inputZeroPoint: -37, outputZeroPoint: 5, rounding: .double)
        let (multipliers, shifts) = rng.requantization(outChannels)
        let filter = ChannelwiseArrays(
            weights: rng.weights(channels: outChannels, perChannel: 9 * 64), bias: rng.bias(outChannels),
            multipliers: multipliers, shifts: shifts)
        let input = rng.int8s(p.input.elementCount)
        filter.withPointers { f in
            let expected = run(input, outputCount: p.output.elementCount) { Reference.conv2D(p, input: $0, filter: f, output: $1) }
            for features in FastKernelTests.featureSets {
                let plan = KernelPlan(conv2D: p, features: features)
                let packed = UnsafeMutableRawBufferPointer.allocate(byteCount: Fast.packedByteCount(p, plan: plan), alignment: 16)
                defer { packed.deallocate() }
                Fast.pack(p, plan: plan, filter: f, into: packed.baseAddress!)
                var packedFilter = f
                packedFilter.packed = UnsafeRawPointer(packed.baseAddress!)
                let got = runGuarded(input, outputCount: p.output.elementCount, as: Int8.self) {
                    Fast.conv2D(p, plan: plan, input: $0, filter: packedFilter, output: $1)
                }
                #expect(got.output == expected && !got.overrun, "\(plan.variant.name) \(plan.mode.name), \(p)")
            }
        }
    }
}

import FacelyzrData
import FacelyzrImaging
import Testing

/// The localiser's allocation-free area resampling into caller buffers is byte for byte the
/// importers' `Image.resized` (the patches the model learned from are made with the latter).
@Suite struct AreaResamplingTests {
    @Test(arguments: [(320, 240, 274, 205), (37, 29, 24, 24), (25, 25, 24, 24), (24, 24, 24, 24), (20, 16, 31, 23), (100, 3, 7, 2)])
    func matchesTheImporters(_ size: (Int, Int, Int, Int)) {
        let (w, h, tw, th) = size
        var state: UInt64 = 0x1234_5678 &+ UInt64(w * 1000 + h)
        let pixels = (0..<w * h).map { _ in
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return UInt8(truncatingIfNeeded: state >> 56)
        }
        let expected = Image(width: w, height: h, channels: 1, pixels: pixels).resized(width: tw, height: th, method: .area)
        var output = [UInt8](repeating: 0, count: tw * th)
        var rows = [Float](repeating: 0, count: h * tw)
        pixels.withUnsafeBufferPointer { source in
            output.withUnsafeMutableBufferPointer { target in
                rows.withUnsafeMutableBufferPointer { scratch in
                    resampleArea(source.baseAddress!, width: w, height: h, channels: 1, into: target.baseAddress!, width: tw,
                                 height: th, scratch: scratch.baseAddress!)
                }
            }
        }
        #expect(output == expected.pixels)
    }
}

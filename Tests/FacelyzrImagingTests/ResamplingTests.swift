import FacelyzrImaging
import FacelyzrRandom
import Testing

/// `resampleSeparable` against its definition taken literally: each output sample's sum from 0
/// over its taps in order, taps enumerated per sample, `Float.rounded()` and clamping.
struct ResamplingTests {
    /// The separable resampling's definition, one output sample at a time.
    static func reference<Columns: ResamplingTaps, Rows: ResamplingTaps>(
        _ source: [UInt8], width: Int, height: Int, channels: Int,
        targetWidth: Int, targetHeight: Int, columns: Columns, rows: Rows
    ) -> [UInt8] {
        var horizontal = [Float](repeating: 0, count: height * targetWidth * channels)
        for y in 0..<height {
            for x in 0..<targetWidth {
                for c in 0..<channels {
                    var sum: Float = 0
                    columns.forEachTap(output: x) { index, weight in
                        sum += weight * Float(source[(y * width + index) * channels + c])
                    }
                    horizontal[(y * targetWidth + x) * channels + c] = sum
                }
            }
        }
        var target = [UInt8](repeating: 0, count: targetWidth * targetHeight * channels)
        for y in 0..<targetHeight {
            for x in 0..<targetWidth {
                for c in 0..<channels {
                    var sum: Float = 0
                    rows.forEachTap(output: y) { index, weight in
                        sum += weight * horizontal[(index * targetWidth + x) * channels + c]
                    }
                    target[(y * targetWidth + x) * channels + c] = UInt8(min(255, max(0, sum.rounded())))
                }
            }
        }
        return target
    }

    /// Random sizes from 1 to 300 along each axis (shrinking, enlarging, and rows longer and
    /// shorter than the blocks of 64 and 8), 1 or 3 channels, area and bilinear taps, random
    /// pixels with runs of 0 and 255 (the clamp's edges): every byte as the definition's.
    @Test(arguments: [false, true])
    func fastPathEqualsTheDefinition(bilinear: Bool) {
        var random = SplitMix64(seed: 16, index: bilinear ? 1 : 0)
        for _ in 0..<60 {
            let width = 1 + random.below(300), height = 1 + random.below(120)
            let targetWidth = 1 + random.below(300), targetHeight = 1 + random.below(120)
            let channels = random.chance(0.5) ? 1 : 3
            let source = (0..<(width * height * channels)).map { _ in
                random.chance(0.2) ? (random.chance(0.5) ? 0 : 255) : UInt8(truncatingIfNeeded: random.next())
            }
            var target = [UInt8](repeating: 0xA5, count: targetWidth * targetHeight * channels)
            var scratch = [Float](repeating: .nan, count: height * targetWidth * channels)
            let expected: [UInt8]
            if bilinear {
                let columns = BilinearTaps(from: width, to: targetWidth), rows = BilinearTaps(from: height, to: targetHeight)
                resampleSeparable(source, width: width, height: height, channels: channels,
                                  into: &target, width: targetWidth, height: targetHeight, columns: columns, rows: rows, scratch: &scratch)
                expected = Self.reference(source, width: width, height: height, channels: channels,
                                          targetWidth: targetWidth, targetHeight: targetHeight, columns: columns, rows: rows)
            } else {
                resampleArea(source, width: width, height: height, channels: channels,
                             into: &target, width: targetWidth, height: targetHeight, scratch: &scratch)
                expected = Self.reference(source, width: width, height: height, channels: channels,
                                          targetWidth: targetWidth, targetHeight: targetHeight,
                                          columns: AreaTaps(from: width, to: targetWidth), rows: AreaTaps(from: height, to: targetHeight))
            }
            #expect(target == expected, "\(width)x\(height)x\(channels) to \(targetWidth)x\(targetHeight)")
        }
    }

    /// `resampleAreaRowsFirst`'s definition, one output sample at a time: area taps, the sum
    /// along y first (from 0, tap by tap), then along x over those sums, rounded to nearest.
    static func rowsFirstReference(_ source: [UInt8], width: Int, height: Int, channels: Int,
                                   targetWidth: Int, targetHeight: Int) -> [UInt8] {
        let columns = AreaTaps(from: width, to: targetWidth), rows = AreaTaps(from: height, to: targetHeight)
        var vertical = [Float](repeating: 0, count: targetHeight * width * channels)
        for y in 0..<targetHeight {
            for x in 0..<(width * channels) {
                var sum: Float = 0
                rows.forEachTap(output: y) { index, weight in sum += weight * Float(source[index * width * channels + x]) }
                vertical[y * width * channels + x] = sum
            }
        }
        var target = [UInt8](repeating: 0, count: targetWidth * targetHeight * channels)
        for y in 0..<targetHeight {
            for x in 0..<targetWidth {
                for c in 0..<channels {
                    var sum: Float = 0
                    columns.forEachTap(output: x) { index, weight in
                        sum += weight * vertical[(y * width + index) * channels + c]
                    }
                    target[(y * targetWidth + x) * channels + c] = UInt8(min(255, max(0, sum.rounded())))
                }
            }
        }
        return target
    }

    /// The localiser's pyramid resampling (rows first) against its definition taken literally,
    /// over random sizes (shrinking as the pyramid does, and enlarging), 1 or 3 channels; and
    /// within 1 of `resampleArea` (the same taps summed columns first) everywhere.
    @Test func rowsFirstEqualsItsDefinition() {
        var random = SplitMix64(seed: 16, index: 2)
        for _ in 0..<60 {
            let width = 1 + random.below(300), height = 1 + random.below(120)
            let targetWidth = 1 + random.below(300), targetHeight = 1 + random.below(120)
            let channels = random.chance(0.5) ? 1 : 3
            let source = (0..<(width * height * channels)).map { _ in
                random.chance(0.2) ? (random.chance(0.5) ? 0 : 255) : UInt8(truncatingIfNeeded: random.next())
            }
            var target = [UInt8](repeating: 0xA5, count: targetWidth * targetHeight * channels)
            var scratch = [Float](repeating: .nan, count: targetHeight * (width + targetWidth) * channels)
            resampleAreaRowsFirst(source, width: width, height: height, channels: channels,
                                  into: &target, width: targetWidth, height: targetHeight, scratch: &scratch)
            let expected = Self.rowsFirstReference(source, width: width, height: height, channels: channels,
                                                   targetWidth: targetWidth, targetHeight: targetHeight)
            #expect(target == expected, "\(width)x\(height)x\(channels) to \(targetWidth)x\(targetHeight)")
            let columnsFirst = Self.reference(source, width: width, height: height, channels: channels,
                                              targetWidth: targetWidth, targetHeight: targetHeight,
                                              columns: AreaTaps(from: width, to: targetWidth), rows: AreaTaps(from: height, to: targetHeight))
            #expect(zip(target, columnsFirst).allSatisfy { abs(Int($0) - Int($1)) <= 1 })
        }
    }
}

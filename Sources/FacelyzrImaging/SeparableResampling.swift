/// The source samples one output sample reads along one axis, and their weights: the rule of a
/// separable resampling method (docs/data.md "Resampling").
public protocol ResamplingTaps {
    /// Calls `body` with each source index output position `output` reads and its weight, in
    /// increasing source order (the order the sums are taken in, so results are reproducible).
    func forEachTap(output: Int, _ body: (Int, Float) -> Void)
}

/// Area taps (OpenCV's INTER_AREA): an output sample averages the source interval it covers,
/// each source sample weighted by the covered fraction of it over the scale (the weights sum
/// to 1).
public struct AreaTaps: ResamplingTaps {
    /// Source samples per output sample.
    public let scale: Double
    public let sourceCount: Int

    /// The taps of resampling `source` samples to `target` samples (both at least 1).
    @inlinable
    public init(from source: Int, to target: Int) {
        scale = Double(source) / Double(target)
        sourceCount = source
    }

    @inlinable @inline(__always)
    public func forEachTap(output: Int, _ body: (Int, Float) -> Void) {
        let start = Double(output) * scale, end = Double(output + 1) * scale
        var index = Int(start.rounded(.down))
        while Double(index) < end && index < sourceCount {
            let overlap = min(end, Double(index + 1)) - max(start, Double(index))
            if overlap > 1e-9 { body(index, Float(overlap / scale)) }
            index += 1
        }
    }
}

/// Resamples an interleaved 8-bit image separably into caller buffers: first along x (every
/// source row, into `scratch`), then along y, each output the `Float` sum of its taps' weighted
/// samples in tap order, rounded to the nearest 8-bit value. Allocation-free.
///
/// The arithmetic per output sample is fixed by that sentence (the sum starts at 0, adds
/// `weight * sample` tap by tap); the loops only choose how often taps are enumerated and how
/// many samples share them (docs/data.md "Resampling"): `resampleAlongX` and `resampleAlongY`.
///
/// - Parameters:
///   - source: `sourceWidth * sourceHeight * channels` bytes, row-major.
///   - target: `targetWidth * targetHeight * channels` bytes, row-major.
///   - columns: taps from `sourceWidth` to `targetWidth`; `rows`: from `sourceHeight` to `targetHeight`.
///   - scratch: `sourceHeight * targetWidth * channels` floats.
@inlinable
public func resampleSeparable<Columns: ResamplingTaps, Rows: ResamplingTaps>(
    _ source: UnsafePointer<UInt8>, width sourceWidth: Int, height sourceHeight: Int, channels: Int,
    into target: UnsafeMutablePointer<UInt8>, width targetWidth: Int, height targetHeight: Int,
    columns: Columns, rows: Rows, scratch: UnsafeMutablePointer<Float>
) {
    resampleAlongX(source, rowLength: sourceWidth * channels, rowCount: sourceHeight, channels: channels,
                   into: scratch, rowLength: targetWidth * channels, partial: scratch, columns: columns)
    resampleAlongY(UnsafePointer(scratch), rowLength: targetWidth * channels, into: target, rowCount: targetHeight, rows: rows)
}

/// Area resampling of a gray (or interleaved) 8-bit image **rows first**: along y (every output
/// row from the source's rows, into `scratch`), then along x, each output the `Float` sum of its
/// taps' weighted samples in tap order, rounded to the nearest 8-bit value: the localiser's
/// pyramid levels (docs/detection.md "Pyramid"). The taps and weights are `resampleArea`'s; only
/// the order of the two passes differs, so a byte differs from `resampleArea`'s only where the
/// two float sums round to different bytes (at most 1 apart). Along y the samples are read
/// contiguously, so the pass that gathers samples (along x) runs over the `targetHeight` output
/// rows rather than all `sourceHeight` rows. Allocation-free.
///
/// - Parameters:
///   - scratch: `targetHeight * (sourceWidth + targetWidth) * channels` floats.
@inlinable
public func resampleAreaRowsFirst(
    _ source: UnsafePointer<UInt8>, width sourceWidth: Int, height sourceHeight: Int, channels: Int,
    into target: UnsafeMutablePointer<UInt8>, width targetWidth: Int, height targetHeight: Int,
    scratch: UnsafeMutablePointer<Float>
) {
    let rowsDone = scratch, partial = scratch + targetHeight * sourceWidth * channels
    resampleAlongY(source, rowLength: sourceWidth * channels, into: rowsDone, rowCount: targetHeight,
                   rows: AreaTaps(from: sourceHeight, to: targetHeight))
    resampleAlongX(UnsafePointer(rowsDone), rowLength: sourceWidth * channels, rowCount: targetHeight, channels: channels,
                   into: target, rowLength: targetWidth * channels, partial: partial, columns: AreaTaps(from: sourceWidth, to: targetWidth))
}

/// Halves an 8-bit gray image of even `width` and `height`: each output pixel the mean of its
/// 2x2 block, rounded to nearest, halves up (`(a + b + c + d + 2) / 4`); byte for byte
/// `resampleArea` to `width / 2` x `height / 2` (whose weights 0.5 make every float sum exact).
/// The localiser's pyramid resamples its smaller levels from it (docs/detection.md "Pyramid").
/// Allocation-free.
@inlinable
public func halveGray(_ source: UnsafePointer<UInt8>, width: Int, height: Int, into target: UnsafeMutablePointer<UInt8>) {
    let half = width / 2
    for y in 0..<(height / 2) {
        let top = source + 2 * y * width, bottom = top + width, to = target + y * half
        var x = 0
        while half - x >= 2 {
            // Two 16-bit lanes of a 32-bit word (also a board's native width): each the sum of
            // two neighbouring bytes of both rows (at most 1,020), then the mean, packed back to
            // 2 bytes.
            let evenBytes: UInt32 = 0x00FF_00FF
            let a = UInt32(littleEndian: UnsafeRawPointer(top + 2 * x).loadUnaligned(as: UInt32.self))
            let b = UInt32(littleEndian: UnsafeRawPointer(bottom + 2 * x).loadUnaligned(as: UInt32.self))
            let sums = (a & evenBytes) &+ ((a &>> 8) & evenBytes) &+ (b & evenBytes) &+ ((b &>> 8) & evenBytes)
            let means = ((sums &+ 0x0002_0002) &>> 2) & evenBytes
            let packed = UInt16(truncatingIfNeeded: means | (means &>> 8))
            UnsafeMutableRawPointer(to + x).storeBytes(of: packed.littleEndian, as: UInt16.self)
            x += 2
        }
        while x < half {
            let sum = Int(top[2 * x]) + Int(top[2 * x + 1]) + Int(bottom[2 * x]) + Int(bottom[2 * x + 1])
            to[x] = UInt8(truncatingIfNeeded: (sum + 2) >> 2)
            x += 1
        }
    }
}

/// A sample type the separable passes read and write: bytes (an image) or floats (a pass's sums).
@usableFromInline
protocol ResamplingSample {
    /// The first `count` (1...8) samples at `p` as floats (the rest 0).
    static func load(_ p: UnsafePointer<Self>, count: Int) -> SIMD8<Float>
    /// The samples of `row` at `offsets`, as floats.
    static func gather(_ row: UnsafePointer<Self>, _ offsets: SIMD8<Int>) -> SIMD8<Float>
    /// The first `count` (1...8) of `sums` at `p`: bytes rounded to nearest (`storeRounded`),
    /// floats as they are.
    static func store(_ sums: SIMD8<Float>, count: Int, _ p: UnsafeMutablePointer<Self>)
}

extension UInt8: ResamplingSample {
    @inlinable @inline(__always)
    static func load(_ p: UnsafePointer<UInt8>, count: Int) -> SIMD8<Float> {
        var bytes = SIMD8<UInt8>()
        if count == 8 {
            bytes = UnsafeRawPointer(p).loadUnaligned(as: SIMD8<UInt8>.self)
        } else {
            for i in 0..<count { bytes[i] = p[i] }
        }
        return floats(SIMD8<UInt32>(truncatingIfNeeded: bytes))
    }

    @inlinable @inline(__always)
    static func gather(_ row: UnsafePointer<UInt8>, _ offsets: SIMD8<Int>) -> SIMD8<Float> {
        floats(SIMD8<UInt32>(UInt32(row[offsets[0]]), UInt32(row[offsets[1]]), UInt32(row[offsets[2]]), UInt32(row[offsets[3]]),
                             UInt32(row[offsets[4]]), UInt32(row[offsets[5]]), UInt32(row[offsets[6]]), UInt32(row[offsets[7]])))
    }

    @inlinable @inline(__always)
    static func store(_ sums: SIMD8<Float>, count: Int, _ p: UnsafeMutablePointer<UInt8>) {
        storeRounded(sums, count: count, p)
    }
}

extension Float: ResamplingSample {
    @inlinable @inline(__always)
    static func load(_ p: UnsafePointer<Float>, count: Int) -> SIMD8<Float> {
        if count == 8 { return UnsafeRawPointer(p).loadUnaligned(as: SIMD8<Float>.self) }
        var samples = SIMD8<Float>()
        for i in 0..<count { samples[i] = p[i] }
        return samples
    }

    @inlinable @inline(__always)
    static func gather(_ row: UnsafePointer<Float>, _ offsets: SIMD8<Int>) -> SIMD8<Float> {
        SIMD8<Float>(row[offsets[0]], row[offsets[1]], row[offsets[2]], row[offsets[3]],
                     row[offsets[4]], row[offsets[5]], row[offsets[6]], row[offsets[7]])
    }

    @inlinable @inline(__always)
    static func store(_ sums: SIMD8<Float>, count: Int, _ p: UnsafeMutablePointer<Float>) {
        if count == 8 {
            UnsafeMutableRawPointer(p).storeBytes(of: sums, as: SIMD8<Float>.self)
        } else {
            for i in 0..<count { p[i] = sums[i] }
        }
    }
}

/// The pass along x of a separable resampling: each of `rowCount` rows of `source`
/// (`sourceRowLength` samples, `channels` interleaved) to `targetRowLength` sums in `target`,
/// each the sum from 0 of its taps' `weight * sample` in tap order, stored as `Target` stores
/// (bytes rounded to nearest). Blocks of 8 output samples, each sample's taps in groups of up to
/// 4 that every row adds to the block's running sums (from 0, in tap order) as one vector, kept
/// between groups in `partial` (`rowCount * targetRowLength` floats; `target` itself when it
/// holds floats) and stored into `target` after the last group. A sample with fewer taps than
/// the group's widest is padded with weight-0 taps, which add +0 to a sum that is never
/// negative: no change. The first group starts its sums at 0 in registers rather than from a
/// zeroed buffer.
@inlinable
func resampleAlongX<Sample: ResamplingSample, Target: ResamplingSample, Columns: ResamplingTaps>(
    _ source: UnsafePointer<Sample>, rowLength sourceRowLength: Int, rowCount: Int, channels: Int,
    into target: UnsafeMutablePointer<Target>, rowLength targetRowLength: Int, partial: UnsafeMutablePointer<Float>,
    columns: Columns
) {
    var start = 0
    while start < targetRowLength {
        let count = min(8, targetRowLength - start)
        var group = 0
        var (offsets, weights, taps) = tapGroup(0, columns: columns, start: start, count: count, channels: channels)
        while taps > 0 {
            let next = tapGroup(group + 1, columns: columns, start: start, count: count, channels: channels)
            let last = next.taps == 0
            for y in 0..<rowCount {
                let from = source + y * sourceRowLength
                let place = y * targetRowLength + start
                var sum = group == 0 ? SIMD8<Float>() : Float.load(partial + place, count: count)
                sum += weights.0 * Sample.gather(from, offsets.0)
                if taps > 1 { sum += weights.1 * Sample.gather(from, offsets.1) }
                if taps > 2 { sum += weights.2 * Sample.gather(from, offsets.2) }
                if taps > 3 { sum += weights.3 * Sample.gather(from, offsets.3) }
                if last {
                    Target.store(sum, count: count, target + place)
                } else {
                    Float.store(sum, count: count, partial + place)
                }
            }
            (offsets, weights, taps) = next
            group += 1
        }
        start += count
    }
}

/// Tap group `group` of the `count` (1...8) output samples from `start` of a row (`channels`
/// interleaved) along x: each lane's taps `4 * group ..< 4 * group + 4` (source offsets and
/// weights; 0 past a lane's last tap), and the most taps any lane has in the group.
@inlinable
func tapGroup<Columns: ResamplingTaps>(_ group: Int, columns: Columns, start: Int, count: Int, channels: Int)
    -> (offsets: (SIMD8<Int>, SIMD8<Int>, SIMD8<Int>, SIMD8<Int>), weights: (SIMD8<Float>, SIMD8<Float>, SIMD8<Float>, SIMD8<Float>),
        taps: Int) {
    var offsets = (SIMD8<Int>(), SIMD8<Int>(), SIMD8<Int>(), SIMD8<Int>())
    var weights = (SIMD8<Float>(), SIMD8<Float>(), SIMD8<Float>(), SIMD8<Float>())
    var taps = 0
    for lane in 0..<count {
        let sample = start + lane, channel = sample % channels
        var tap = 0
        columns.forEachTap(output: sample / channels) { index, weight in
            let slot = tap - 4 * group
            tap += 1
            guard slot >= 0 && slot < 4 else { return }
            let offset = index * channels + channel
            switch slot {
            case 0: offsets.0[lane] = offset; weights.0[lane] = weight
            case 1: offsets.1[lane] = offset; weights.1[lane] = weight
            case 2: offsets.2[lane] = offset; weights.2[lane] = weight
            default: offsets.3[lane] = offset; weights.3[lane] = weight
            }
            taps = max(taps, slot + 1)
        }
    }
    return (offsets, weights, taps)
}

/// The pass along y of a separable resampling: `rowCount` output rows of `rowLength` samples
/// into `target`, each sample the sum from 0 of its taps' `weight * sample` (the samples of
/// `source`'s rows `rows` enumerates for that output row, at the same place) in tap order,
/// stored as `Target` stores (bytes rounded to nearest). Each output row's taps once per block
/// of 64 samples (eight vectors of 8), then of 8, the row's last few in a partial block of 8.
@inlinable
func resampleAlongY<Sample: ResamplingSample, Target: ResamplingSample, Rows: ResamplingTaps>(
    _ source: UnsafePointer<Sample>, rowLength: Int, into target: UnsafeMutablePointer<Target>, rowCount: Int, rows: Rows
) {
    for y in 0..<rowCount {
        let to = target + y * rowLength
        var start = 0
        while rowLength - start >= 64 {
            var sums = (SIMD8<Float>(), SIMD8<Float>(), SIMD8<Float>(), SIMD8<Float>())
            var more = (SIMD8<Float>(), SIMD8<Float>(), SIMD8<Float>(), SIMD8<Float>())
            rows.forEachTap(output: y) { index, weight in
                let from = source + index * rowLength + start
                sums.0 += weight * Sample.load(from, count: 8)
                sums.1 += weight * Sample.load(from + 8, count: 8)
                sums.2 += weight * Sample.load(from + 16, count: 8)
                sums.3 += weight * Sample.load(from + 24, count: 8)
                more.0 += weight * Sample.load(from + 32, count: 8)
                more.1 += weight * Sample.load(from + 40, count: 8)
                more.2 += weight * Sample.load(from + 48, count: 8)
                more.3 += weight * Sample.load(from + 56, count: 8)
            }
            Target.store(sums.0, count: 8, to + start)
            Target.store(sums.1, count: 8, to + start + 8)
            Target.store(sums.2, count: 8, to + start + 16)
            Target.store(sums.3, count: 8, to + start + 24)
            Target.store(more.0, count: 8, to + start + 32)
            Target.store(more.1, count: 8, to + start + 40)
            Target.store(more.2, count: 8, to + start + 48)
            Target.store(more.3, count: 8, to + start + 56)
            start += 64
        }
        while start < rowLength {
            let count = min(8, rowLength - start)
            var sum = SIMD8<Float>()
            rows.forEachTap(output: y) { index, weight in
                sum += weight * Sample.load(source + index * rowLength + start, count: count)
            }
            Target.store(sum, count: count, to + start)
            start += count
        }
    }
}

/// Bytes widened to 32 bits as floats: each byte `b` in the low mantissa bits of 2^23 gives the
/// float `2^23 + b` exactly, less 2^23 is `b` (Embedded Swift's `Float(UInt8)` and the vector
/// conversion from integers allocate on 32-bit targets: FacelyzrRuntime/Numerics/Widening.swift).
@inlinable @inline(__always)
func floats(_ bytes: SIMD8<UInt32>) -> SIMD8<Float> {
    unsafeBitCast(bytes | 0x4B00_0000, to: SIMD8<Float>.self) - 8_388_608
}

/// The first `count` sums of `sums` as bytes at `target`: `UInt8(min(255, max(0, sum.rounded())))`
/// (nearest, halves away from 0) for 8 sums at once, without the C library's `roundf`.
/// Clamping first gives the same byte (0 and 255 are whole). Then, for `c` in 0...255,
/// `t = c + 2^23` rounds `c` to the nearest whole number, halves to even, and holds it in its
/// low mantissa bits; `c - (t - 2^23)` is exact, and is exactly 0.5 only where a half was
/// rounded down, which adds the 1 that rounding away from 0 wants.
@inlinable @inline(__always)
func storeRounded(_ sums: SIMD8<Float>, count: Int, _ target: UnsafeMutablePointer<UInt8>) {
    // Two replacements rather than `clamped(lowerBound:upperBound:)`, which Embedded Swift left
    // as a call per vector on aarch64 (7% of a 640x480 frame's instructions: docs/detection.md
    // "Latency").
    var clamped = sums
    clamped.replace(with: 0, where: clamped .< 0)
    clamped.replace(with: 255, where: clamped .> 255)
    let shifted = clamped + 8_388_608
    let rounded = shifted.replacing(with: shifted + 1, where: clamped - (shifted - 8_388_608) .== 0.5)
    let bytes = SIMD8<UInt8>(truncatingIfNeeded: unsafeBitCast(rounded, to: SIMD8<UInt32>.self))
    if count == 8 {
        UnsafeMutableRawPointer(target).storeBytes(of: bytes, as: SIMD8<UInt8>.self)
    } else {
        for i in 0..<count { target[i] = bytes[i] }
    }
}

/// Area resampling (``AreaTaps`` along both axes) of an interleaved 8-bit image into caller
/// buffers: what the importers shrink faces with (the localiser's pyramid sums the same taps
/// rows first, `resampleAreaRowsFirst`). Allocation-free.
///
/// - Parameters:
///   - scratch: `sourceHeight * targetWidth * channels` floats.
@inlinable
public func resampleArea(
    _ source: UnsafePointer<UInt8>, width sourceWidth: Int, height sourceHeight: Int, channels: Int,
    into target: UnsafeMutablePointer<UInt8>, width targetWidth: Int, height targetHeight: Int,
    scratch: UnsafeMutablePointer<Float>
) {
    resampleSeparable(source, width: sourceWidth, height: sourceHeight, channels: channels,
                      into: target, width: targetWidth, height: targetHeight,
                      columns: AreaTaps(from: sourceWidth, to: targetWidth), rows: AreaTaps(from: sourceHeight, to: targetHeight),
                      scratch: scratch)
}

/// Bilinear taps: the 2 source samples nearest the output sample's centre, pixel centres at
/// half-integers (`src = (dst + 0.5) * scale - 0.5`), clamped at the edges; one tap of weight 1
/// on a source centre or at an edge.
public struct BilinearTaps: ResamplingTaps {
    /// Source samples per output sample.
    public let scale: Double
    public let sourceCount: Int

    /// The taps of resampling `source` samples to `target` samples (both at least 1).
    @inlinable
    public init(from source: Int, to target: Int) {
        scale = Double(source) / Double(target)
        sourceCount = source
    }

    @inlinable @inline(__always)
    public func forEachTap(output: Int, _ body: (Int, Float) -> Void) {
        let centre = min(max((Double(output) + 0.5) * scale - 0.5, 0), Double(sourceCount - 1))
        let left = Int(centre.rounded(.down))
        let fraction = Float(centre - Double(left))
        if left + 1 >= sourceCount || fraction == 0 {
            body(left, 1)
        } else {
            body(left, 1 - fraction)
            body(left + 1, fraction)
        }
    }
}

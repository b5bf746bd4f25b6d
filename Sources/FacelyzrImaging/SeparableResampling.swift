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
/// many samples share them (docs/data.md "Resampling"):
/// - along x, the taps of each block of 8 output samples once for all rows, in groups of up to
///   4 that every row adds to the block's running sums as vectors;
/// - along y, each output row's taps once per block of up to 32 samples, summed as vectors.
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
    // Along x: blocks of 8 output samples (a row's columns times channels), each sample's taps
    // in groups of up to 4 that every source row adds to the block's running sums in `scratch`
    // (from 0, in tap order) as one vector. A sample with fewer taps than the group's widest is
    // padded with weight-0 taps, which add +0 to a sum that is never negative: no change. The
    // first group starts its sums at 0 in registers rather than from a zeroed `scratch` (the
    // same floats: no pass that zeroes the scratch first).
    let rowLength = targetWidth * channels
    var start = 0
    while start < rowLength {
        let count = min(8, rowLength - start)
        var group = 0
        while true {
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
            if taps == 0 { break }
            for y in 0..<sourceHeight {
                let from = source + y * sourceWidth * channels
                let to = scratch + y * rowLength + start
                var sum = SIMD8<Float>()
                if group == 0 {
                    // From 0.
                } else if count == 8 {
                    sum = UnsafeRawPointer(to).loadUnaligned(as: SIMD8<Float>.self)
                } else {
                    for i in 0..<count { sum[i] = to[i] }
                }
                sum += weights.0 * gather(from, offsets.0)
                if taps > 1 { sum += weights.1 * gather(from, offsets.1) }
                if taps > 2 { sum += weights.2 * gather(from, offsets.2) }
                if taps > 3 { sum += weights.3 * gather(from, offsets.3) }
                if count == 8 {
                    UnsafeMutableRawPointer(to).storeBytes(of: sum, as: SIMD8<Float>.self)
                } else {
                    for i in 0..<count { to[i] = sum[i] }
                }
            }
            group += 1
        }
        start += count
    }
    // Along y: blocks of 32 samples (four vectors of 8), then of 8, the row's last few in a
    // partial block of 8.
    for y in 0..<targetHeight {
        let to = target + y * rowLength
        var start = 0
        while rowLength - start >= 32 {
            var sums = (SIMD8<Float>(), SIMD8<Float>(), SIMD8<Float>(), SIMD8<Float>())
            rows.forEachTap(output: y) { index, weight in
                let from = UnsafeRawPointer(scratch + index * rowLength + start)
                sums.0 += weight * from.loadUnaligned(as: SIMD8<Float>.self)
                sums.1 += weight * from.loadUnaligned(fromByteOffset: 32, as: SIMD8<Float>.self)
                sums.2 += weight * from.loadUnaligned(fromByteOffset: 64, as: SIMD8<Float>.self)
                sums.3 += weight * from.loadUnaligned(fromByteOffset: 96, as: SIMD8<Float>.self)
            }
            storeRounded(sums.0, count: 8, to + start)
            storeRounded(sums.1, count: 8, to + start + 8)
            storeRounded(sums.2, count: 8, to + start + 16)
            storeRounded(sums.3, count: 8, to + start + 24)
            start += 32
        }
        while start < rowLength {
            let count = min(8, rowLength - start)
            var sum = SIMD8<Float>()
            rows.forEachTap(output: y) { index, weight in
                let from = scratch + index * rowLength + start
                var samples = SIMD8<Float>()
                if count == 8 {
                    samples = UnsafeRawPointer(from).loadUnaligned(as: SIMD8<Float>.self)
                } else {
                    for i in 0..<count { samples[i] = from[i] }
                }
                sum += weight * samples
            }
            storeRounded(sum, count: count, to + start)
            start += count
        }
    }
}

/// The bytes of `row` at `offsets`, as floats: each byte `b` in the low mantissa bits of 2^23
/// gives the float `2^23 + b` exactly, less 2^23 is `b` (Embedded Swift's `Float(UInt8)` and the
/// vector conversion from integers allocate on 32-bit targets: FacelyzrRuntime/Numerics/Widening.swift).
@inlinable @inline(__always)
func gather(_ row: UnsafePointer<UInt8>, _ offsets: SIMD8<Int>) -> SIMD8<Float> {
    let bytes = SIMD8<UInt32>(UInt32(row[offsets[0]]), UInt32(row[offsets[1]]), UInt32(row[offsets[2]]), UInt32(row[offsets[3]]),
                              UInt32(row[offsets[4]]), UInt32(row[offsets[5]]), UInt32(row[offsets[6]]), UInt32(row[offsets[7]]))
    return unsafeBitCast(bytes | 0x4B00_0000, to: SIMD8<Float>.self) - 8_388_608
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
/// buffers: what the importers shrink faces with and the localiser builds its pyramid with, so
/// a pyramid level shows a face byte for byte as the training patches did. Allocation-free.
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

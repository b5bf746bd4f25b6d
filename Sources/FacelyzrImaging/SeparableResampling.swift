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
/// - along x, each output column's taps once for all rows, in groups of up to 4 that every row
///   adds to its running sum at once;
/// - along y, each output row's taps once per block of up to 64 samples, summed as vectors.
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
    // Along x: the sums accumulate in `scratch` from 0, a group of taps at a time in tap order,
    // so the same floats as summing all taps in a register.
    scratch.update(repeating: 0, count: sourceHeight * targetWidth * channels)
    for x in 0..<targetWidth {
        var indices = SIMD4<Int>(), weights = SIMD4<Float>(), count = 0
        columns.forEachTap(output: x) { index, weight in
            indices[count] = index
            weights[count] = weight
            count += 1
            if count == 4 {
                addColumnTaps(indices, weights, count: 4, column: x, source, width: sourceWidth, height: sourceHeight, channels: channels,
                              targetWidth: targetWidth, scratch: scratch)
                count = 0
            }
        }
        if count > 0 {
            addColumnTaps(indices, weights, count: count, column: x, source, width: sourceWidth, height: sourceHeight, channels: channels,
                          targetWidth: targetWidth, scratch: scratch)
        }
    }
    // Along y: whole blocks of 64 and 8 samples, then the row's last few in a partial block of 8.
    let rowLength = targetWidth * channels
    for y in 0..<targetHeight {
        var start = 0
        while rowLength - start >= 64 {
            resampleBlock(SIMD64<Float>.self, count: 64, at: start, of: y, rows: rows, rowLength: rowLength, scratch: scratch, into: target)
            start += 64
        }
        while start < rowLength {
            let count = min(8, rowLength - start)
            resampleBlock(SIMD8<Float>.self, count: count, at: start, of: y, rows: rows, rowLength: rowLength, scratch: scratch, into: target)
            start += count
        }
    }
}

/// Adds `count` taps of output column `x` (source columns `indices`, weights `weights`, in tap
/// order) to every row's running sum in `scratch`: the pass along x of
/// ``resampleSeparable(_:width:height:channels:into:width:height:columns:rows:scratch:)``.
@inlinable @inline(__always)
func addColumnTaps(
    _ indices: SIMD4<Int>, _ weights: SIMD4<Float>, count: Int, column x: Int,
    _ source: UnsafePointer<UInt8>, width sourceWidth: Int, height sourceHeight: Int, channels: Int,
    targetWidth: Int, scratch: UnsafeMutablePointer<Float>
) {
    for y in 0..<sourceHeight {
        let from = source + y * sourceWidth * channels
        let to = scratch + (y * targetWidth + x) * channels
        for c in 0..<channels {
            var sum = to[c]
            for t in 0..<count {
                // Through Int: Embedded Swift's Float(UInt8) allocates on 32-bit targets
                // (FacelyzrRuntime/Numerics/Widening.swift).
                sum += weights[t] * Float(Int(from[indices[t] * channels + c]))
            }
            to[c] = sum
        }
    }
}

/// Output row `y`'s samples `start..<start + count` (`count` at most `Block.scalarCount`) of
/// ``resampleSeparable(_:width:height:channels:into:width:height:columns:rows:scratch:)``'s
/// pass along y: the rows' taps enumerated once, each sum taken as a lane of a `Block`.
@inlinable @inline(__always)
func resampleBlock<Block: SIMD, Rows: ResamplingTaps>(
    _: Block.Type, count: Int, at start: Int, of y: Int, rows: Rows, rowLength: Int,
    scratch: UnsafePointer<Float>, into target: UnsafeMutablePointer<UInt8>
) where Block.Scalar == Float {
    var sum = Block()
    rows.forEachTap(output: y) { index, weight in
        let from = scratch + index * rowLength + start
        var samples = Block()
        if count == Block.scalarCount {
            samples = UnsafeRawPointer(from).loadUnaligned(as: Block.self)
        } else {
            for i in 0..<count { samples[i] = from[i] }
        }
        sum += weight * samples
    }
    let to = target + y * rowLength + start
    for i in 0..<count { to[i] = roundedByte(sum[i]) }
}

/// `UInt8(min(255, max(0, value.rounded())))` (nearest, halves away from 0) without a call to
/// the C library's `roundf`: clamping first gives the same byte (0 and 255 are whole), and in
/// 0...255 the truncation and the exact remainder `clamped - truncation` decide the rounding.
@inlinable @inline(__always)
func roundedByte(_ value: Float) -> UInt8 {
    let clamped = min(255, max(0, value))
    let whole = Int(clamped)
    return UInt8(truncatingIfNeeded: clamped - Float(whole) >= 0.5 ? whole + 1 : whole)
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

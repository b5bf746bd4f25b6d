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
    // Along x, each output column's taps enumerated once for all rows: the sums accumulate in
    // `scratch` (from 0, in tap order, so the same floats as summing in a register).
    scratch.update(repeating: 0, count: sourceHeight * targetWidth * channels)
    for x in 0..<targetWidth {
        columns.forEachTap(output: x) { index, weight in
            for y in 0..<sourceHeight {
                let from = source + (y * sourceWidth + index) * channels
                let to = scratch + (y * targetWidth + x) * channels
                for c in 0..<channels {
                    // Through Int: Embedded Swift's Float(UInt8) allocates on 32-bit targets
                    // (FacelyzrRuntime/Numerics/Widening.swift).
                    to[c] += weight * Float(Int(from[c]))
                }
            }
        }
    }
    for y in 0..<targetHeight {
        for x in 0..<targetWidth {
            for c in 0..<channels {
                var sum: Float = 0
                rows.forEachTap(output: y) { index, weight in
                    sum += weight * scratch[(index * targetWidth + x) * channels + c]
                }
                target[(y * targetWidth + x) * channels + c] = UInt8(min(255, max(0, sum.rounded())))
            }
        }
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

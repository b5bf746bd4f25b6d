/// Area resampling of a gray image into caller buffers: each output pixel is the average of the
/// source area it covers, weighted by the covered fraction of each source pixel (OpenCV's
/// INTER_AREA), first along x, then along y, in `Float`, rounded to the nearest 8-bit value.
/// The same weights and order of operations as the importers' `Image.resized(method: .area)`
/// (docs/data.md "Resampling"), so a pyramid level is byte for byte what the trainer's patches
/// were made with; a test holds the two together. Allocation-free.
///
/// - Parameters:
///   - rows: scratch of `sourceHeight * targetWidth` floats.
@inlinable
public func resampleArea(
    _ source: UnsafePointer<UInt8>, width sourceWidth: Int, height sourceHeight: Int,
    into target: UnsafeMutablePointer<UInt8>, width targetWidth: Int, height targetHeight: Int,
    rows: UnsafeMutablePointer<Float>
) {
    let xScale = Double(sourceWidth) / Double(targetWidth)
    for y in 0..<sourceHeight {
        let row = source + y * sourceWidth
        for x in 0..<targetWidth {
            var sum: Float = 0
            forEachAreaTap(output: x, scale: xScale, sourceCount: sourceWidth) { index, weight in
                // Through Int: Embedded Swift's Float(UInt8) allocates on 32-bit targets
                // (FacelyzrRuntime/Numerics/Widening.swift).
                sum += weight * Float(Int(row[index]))
            }
            rows[y * targetWidth + x] = sum
        }
    }
    let yScale = Double(sourceHeight) / Double(targetHeight)
    for y in 0..<targetHeight {
        for x in 0..<targetWidth {
            var sum: Float = 0
            forEachAreaTap(output: y, scale: yScale, sourceCount: sourceHeight) { index, weight in
                sum += weight * rows[index * targetWidth + x]
            }
            target[y * targetWidth + x] = UInt8(min(255, max(0, sum.rounded())))
        }
    }
}

/// Calls `body` with each source index output position `output` covers and its weight (the
/// covered fraction over `scale`; the weights sum to 1).
@inlinable @inline(__always)
func forEachAreaTap(output: Int, scale: Double, sourceCount: Int, _ body: (Int, Float) -> Void) {
    let start = Double(output) * scale, end = Double(output + 1) * scale
    var index = Int(start.rounded(.down))
    while Double(index) < end && index < sourceCount {
        let overlap = min(end, Double(index + 1)) - max(start, Double(index))
        if overlap > 1e-9 { body(index, Float(overlap / scale)) }
        index += 1
    }
}

/// Resizing. Both methods are separable: one pass along x, one along y, in Float, with the
/// result rounded to the nearest 8-bit value. See docs/data.md "Resampling".
extension Image {
    /// How `resized` computes an output pixel.
    public enum ResamplingMethod: String, Sendable, CaseIterable {
        /// Each output pixel is the average of the source area it covers, weighted by the
        /// covered fraction of each source pixel (OpenCV's INTER_AREA). The right choice for
        /// shrinking: no aliasing, and the mean brightness is kept.
        case area
        /// Linear interpolation between the 2x2 nearest source pixel centres, with pixel
        /// centres at half-integers (align_corners = false) and edges clamped.
        case bilinear
    }

    /// The image resized to `width` x `height` (both at least 1).
    public func resized(width newWidth: Int, height newHeight: Int, method: ResamplingMethod = .area) -> Image {
        precondition(newWidth > 0 && newHeight > 0, "resize target must be at least 1x1")
        if newWidth == width && newHeight == height { return self }
        let columns = Self.weights(from: width, to: newWidth, method: method)
        let rows = Self.weights(from: height, to: newHeight, method: method)

        // Pass 1: along x, every source row.
        var horizontal = [Float](repeating: 0, count: height * newWidth * channels)
        for y in 0..<height {
            for (x, taps) in columns.enumerated() {
                for c in 0..<channels {
                    var sum: Float = 0
                    for tap in taps { sum += tap.weight * Float(pixels[(y * width + tap.index) * channels + c]) }
                    horizontal[(y * newWidth + x) * channels + c] = sum
                }
            }
        }
        // Pass 2: along y.
        var result = Image(width: newWidth, height: newHeight, channels: channels)
        for (y, taps) in rows.enumerated() {
            for x in 0..<newWidth {
                for c in 0..<channels {
                    var sum: Float = 0
                    for tap in taps { sum += tap.weight * horizontal[(tap.index * newWidth + x) * channels + c] }
                    result.pixels[(y * newWidth + x) * channels + c] = UInt8(min(255, max(0, sum.rounded())))
                }
            }
        }
        return result
    }

    /// One source sample and its weight in an output sample.
    struct Tap {
        var index: Int
        var weight: Float
    }

    /// For each output position along one axis, the source samples it reads and their weights
    /// (which sum to 1).
    static func weights(from source: Int, to target: Int, method: ResamplingMethod) -> [[Tap]] {
        let scale = Double(source) / Double(target)
        return (0..<target).map { output in
            switch method {
            case .area:
                let start = Double(output) * scale, end = Double(output + 1) * scale
                var taps: [Tap] = []
                var index = Int(start.rounded(.down))
                while Double(index) < end && index < source {
                    let overlap = min(end, Double(index + 1)) - max(start, Double(index))
                    if overlap > 1e-9 { taps.append(Tap(index: index, weight: Float(overlap / scale))) }
                    index += 1
                }
                return taps
            case .bilinear:
                let centre = min(max((Double(output) + 0.5) * scale - 0.5, 0), Double(source - 1))
                let left = Int(centre.rounded(.down))
                let fraction = Float(centre - Double(left))
                if left + 1 >= source || fraction == 0 { return [Tap(index: left, weight: 1)] }
                return [Tap(index: left, weight: 1 - fraction), Tap(index: left + 1, weight: fraction)]
            }
        }
    }
}

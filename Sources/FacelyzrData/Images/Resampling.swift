import FacelyzrImaging

/// Resizing. Both methods are separable: one pass along x, one along y, in Float, with the
/// result rounded to the nearest 8-bit value (FacelyzrImaging's `resampleSeparable`). See
/// docs/data.md "Resampling".
extension Image {
    /// How `resized` computes an output pixel.
    public enum ResamplingMethod: String, Sendable, CaseIterable {
        /// Each output pixel is the average of the source area it covers, weighted by the
        /// covered fraction of each source pixel (OpenCV's INTER_AREA). The right choice for
        /// shrinking: no aliasing, and the mean brightness is kept. The same resampler as the
        /// localiser's pyramid (`resampleArea`).
        case area
        /// Linear interpolation between the 2x2 nearest source pixel centres, with pixel
        /// centres at half-integers (align_corners = false) and edges clamped.
        case bilinear
    }

    /// The image resized to `width` x `height` (both at least 1).
    public func resized(width newWidth: Int, height newHeight: Int, method: ResamplingMethod = .area) -> Image {
        precondition(newWidth > 0 && newHeight > 0, "resize target must be at least 1x1")
        if newWidth == width && newHeight == height { return self }
        switch method {
        case .area:
            return resampled(width: newWidth, height: newHeight) { source, target, scratch in
                resampleArea(source, width: width, height: height, channels: channels,
                             into: target, width: newWidth, height: newHeight, scratch: scratch)
            }
        case .bilinear:
            return resampled(width: newWidth, height: newHeight) { source, target, scratch in
                resampleSeparable(source, width: width, height: height, channels: channels,
                                  into: target, width: newWidth, height: newHeight,
                                  columns: BilinearTaps(from: width, to: newWidth),
                                  rows: BilinearTaps(from: height, to: newHeight), scratch: scratch)
            }
        }
    }

    /// A `newWidth` x `newHeight` image of these channels written by `resample` from these
    /// pixels, with the scratch of one pass along x.
    private func resampled(
        width newWidth: Int, height newHeight: Int,
        _ resample: (UnsafePointer<UInt8>, UnsafeMutablePointer<UInt8>, UnsafeMutablePointer<Float>) -> Void
    ) -> Image {
        var result = Image(width: newWidth, height: newHeight, channels: channels)
        var scratch = [Float](repeating: 0, count: height * newWidth * channels)
        pixels.withUnsafeBufferPointer { source in
            result.pixels.withUnsafeMutableBufferPointer { target in
                scratch.withUnsafeMutableBufferPointer { resample(source.baseAddress!, target.baseAddress!, $0.baseAddress!) }
            }
        }
        return result
    }
}

/// Cutting rectangles out of images.
extension Image {
    /// The rectangle at (`x`, `y`) of size `width` x `height`, which must lie inside the image.
    public func cropped(x: Int, y: Int, width cropWidth: Int, height cropHeight: Int) -> Image {
        precondition(x >= 0 && y >= 0 && cropWidth > 0 && cropHeight > 0
                     && x + cropWidth <= width && y + cropHeight <= height,
                     "crop \(cropWidth)x\(cropHeight)+\(x)+\(y) outside a \(width)x\(height) image")
        var result = Image(width: cropWidth, height: cropHeight, channels: channels)
        let rowBytes = cropWidth * channels
        for row in 0..<cropHeight {
            let source = ((y + row) * width + x) * channels
            result.pixels.replaceSubrange(row * rowBytes..<(row + 1) * rowBytes,
                                          with: pixels[source..<source + rowBytes])
        }
        return result
    }

    /// The largest centred square: the longer side is cut evenly on both ends (the extra
    /// pixel of an odd difference goes to the bottom or right).
    public func centerSquareCropped() -> Image {
        let side = min(width, height)
        return cropped(x: (width - side) / 2, y: (height - side) / 2, width: side, height: side)
    }
}

import FacelyzrImaging
/// Conversions between gray and RGB.
extension Image {
    /// The image with one channel: gray images are returned as they are; RGB becomes the
    /// ITU-R BT.601 luma `(299 R + 587 G + 114 B) / 1000`, rounded to nearest.
    public func grayscale() -> Image {
        if channels == 1 { return self }
        precondition(channels == 3, "grayscale() needs a gray or RGB image")
        var result = Image(width: width, height: height, channels: 1)
        for i in 0..<width * height {
            result.pixels[i] = bt601Luma(r: pixels[3 * i], g: pixels[3 * i + 1], b: pixels[3 * i + 2])
        }
        return result
    }

    /// The image with three channels: RGB images are returned as they are; gray is copied
    /// into R, G and B.
    public func rgb() -> Image {
        if channels == 3 { return self }
        precondition(channels == 1, "rgb() needs a gray or RGB image")
        var result = Image(width: width, height: height, channels: 3)
        for i in 0..<width * height {
            let value = pixels[i]
            result.pixels[3 * i] = value
            result.pixels[3 * i + 1] = value
            result.pixels[3 * i + 2] = value
        }
        return result
    }

    /// The image with `channels` channels (1 or 3).
    public func converted(toChannels target: Int) -> Image {
        target == 1 ? grayscale() : rgb()
    }
}

extension Image {
    /// Draws the outline of the box `x ..< x + width`, `y ..< y + height` in `color` (one value
    /// per channel), `thickness` pixels wide inwards; parts outside the image are clipped.
    public mutating func strokeRectangle(x: Int, y: Int, width w: Int, height h: Int, color: [UInt8], thickness: Int = 1) {
        for t in 0..<thickness {
            for i in (x + t)..<max(x + t, x + w - t) {
                setPixel(x: i, y: y + t, color)
                setPixel(x: i, y: y + h - 1 - t, color)
            }
            for j in (y + t)..<max(y + t, y + h - t) {
                setPixel(x: x + t, y: j, color)
                setPixel(x: x + w - 1 - t, y: j, color)
            }
        }
    }
}

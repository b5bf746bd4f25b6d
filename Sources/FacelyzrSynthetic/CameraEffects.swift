extension FaceCanvas {
    /// Blends the picture towards its [1 2 1] x [1 2 1] / 16 blur by `amount`; a second pass
    /// for amounts above 0.65 (the Blurry attribute). Edges repeat the border pixel.
    mutating func blur(amount: Float) {
        let passes = amount > 0.65 ? 2 : 1
        let size = size
        var blurred = rgb
        for _ in 0..<passes {
            rgb.withUnsafeBufferPointer { src in
                blurred.withUnsafeMutableBufferPointer { dst in
                    for y in 0..<size {
                        let ym = max(y - 1, 0), yp = min(y + 1, size - 1)
                        for x in 0..<size {
                            let xm = max(x - 1, 0), xp = min(x + 1, size - 1)
                            for ch in 0..<3 {
                                func at(_ x: Int, _ y: Int) -> Float { src[(y * size + x) * 3 + ch] }
                                let row0 = at(xm, ym) + 2 * at(x, ym) + at(xp, ym)
                                let row1 = at(xm, y) + 2 * at(x, y) + at(xp, y)
                                let row2 = at(xm, yp) + 2 * at(x, yp) + at(xp, yp)
                                let smooth = (row0 + 2 * row1 + row2) * (1.0 / 16)
                                let i = (y * size + x) * 3 + ch
                                dst[i] = src[i] + (smooth - src[i]) * amount
                            }
                        }
                    }
                }
            }
            swap(&rgb, &blurred)
        }
    }

    /// Adds sensor noise of standard deviation `sd` (triangular: the sum of two noise-table
    /// values per pixel and channel) and writes the picture as bytes, rounding 0...1 to 0...255.
    func quantize(noiseSD sd: Float, into bytes: UnsafeMutableBufferPointer<UInt8>) {
        precondition(bytes.count == size * size * 3, "buffer must hold size * size * 3 bytes")
        let scale = sd * 2.449_489_7 // a triangular [-1, 1] variable has variance 1/6
        let first = NoiseTable(key: key, salt: 6), second = NoiseTable(key: key, salt: 7)
        rgb.withUnsafeBufferPointer { rgb in
            for i in 0..<rgb.count {
                let x = Int32(truncatingIfNeeded: i & 255), y = Int32(truncatingIfNeeded: i >> 8)
                let value = (rgb[i] + (first.raw(x, y) + second.raw(x, y) - 1) * scale) * 255 + 0.5
                bytes[i] = value <= 0 ? 0 : (value >= 255 ? 255 : UInt8(value))
            }
        }
    }
}

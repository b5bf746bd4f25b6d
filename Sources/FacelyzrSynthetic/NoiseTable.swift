import FacelyzrRandom

/// A fixed 256 x 256 table of uniform values in [0, 1), drawn once from ``SplitMix64`` with a
/// constant seed, that every texture and the sensor noise read at offsets derived from the
/// face's texture key: table look-ups instead of per-pixel hashing, the same on every platform.
struct NoiseTable {
    private static let side = 256
    /// Written once at first use, then only read (the stored pointer is never freed).
    nonisolated(unsafe) private static let storage: UnsafeBufferPointer<Float> = {
        let buffer = UnsafeMutableBufferPointer<Float>.allocate(capacity: side * side)
        var rng = SplitMix64(state: 0x46_61_63_65_6C_79_7A_72) // "Facelyzr"
        for i in 0..<buffer.count { buffer[i] = rng.unit() }
        return UnsafeBufferPointer(buffer)
    }()

    private let values: UnsafeBufferPointer<Float>
    private let offsetX, offsetY: Int32

    /// The table as seen by one use (`salt`) for the face with texture key `key`.
    init(key: UInt64, salt: UInt64) {
        values = Self.storage
        let h = SplitMix64.mix(key ^ (salt &* 0x9E37_79B9_7F4A_7C15))
        offsetX = Int32(truncatingIfNeeded: h & 255)
        offsetY = Int32(truncatingIfNeeded: (h >> 8) & 255)
    }

    /// The value at lattice point (x, y), periodic with period 256.
    @inline(__always)
    func raw(_ x: Int32, _ y: Int32) -> Float {
        values[Int(((y &+ offsetY) & 255) << 8 | ((x &+ offsetX) & 255))]
    }

    /// Smooth value noise: the lattice values interpolated with a cubic fade.
    @inline(__always)
    func smooth(_ x: Float, _ y: Float) -> Float {
        let fx = DeterministicMath.floor(x), fy = DeterministicMath.floor(y)
        let ix = Int32(fx), iy = Int32(fy)
        var tx = x - fx, ty = y - fy
        tx = tx * tx * (3 - 2 * tx)
        ty = ty * ty * (3 - 2 * ty)
        let a = raw(ix, iy), b = raw(ix &+ 1, iy), c = raw(ix, iy &+ 1), d = raw(ix &+ 1, iy &+ 1)
        let top = a + (b - a) * tx
        let bottom = c + (d - c) * tx
        return top + (bottom - top) * ty
    }
}

import FacelyzrRandom
import Foundation

extension SplitMix64 {
    /// Standard normal by Box-Muller, for the trainer's weight initialisation and Gaussian
    /// corruption: one draw per call from two 53-bit uniforms (`(next() >> 11) * 2^-53`), no
    /// cached spare, so the generator's state stays one word. (The synthetic faces use the
    /// bounded Irwin-Hall ``normal(mean:sd:)`` instead.)
    public mutating func boxMullerNormal() -> Float {
        let u1 = (Double(next() >> 11) + 1) * (1.0 / 9_007_199_254_740_993.0)  // (0, 1]
        let u2 = Double(next() >> 11) * (1.0 / 9_007_199_254_740_992.0)
        return Float((-2 * log(u1)).squareRoot() * cos(2 * Double.pi * u2))
    }
}

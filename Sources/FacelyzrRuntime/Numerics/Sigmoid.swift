// The runtime's own sigmoid and exponential, docs/quantization.md "Sigmoid". Only float32 +, -, *, / and
// conversions (correctly rounded on every ISA), no libm, no fused multiply-add, so the
// result is bit-identical on x86-64, aarch64 and armv7.

/// `1 / (1 + e^-x)` in float32, bit-identical on every ISA (docs/quantization.md "Sigmoid").
///
/// `e^-|x|` comes from a Cody-Waite range reduction `-|x| = k ln2 + r` and a degree-7 Taylor
/// polynomial for `e^r`; `|x| >= 86` (and NaN) return exactly 0 or 1. The constants are
/// given by bit pattern so tools/oracle/oracle.py uses the very same values.
public func sigmoid(_ x: Float) -> Float {
    let magnitude = x.magnitude
    guard magnitude < 86 else { return x > 0 ? 1 : 0 }
    let e = exponential(nonPositive: -magnitude)
    return x >= 0 ? 1 / (1 + e) : e / (1 + e)
}

/// `e^t` in float32 for `t <= 0`, bit-identical on every ISA: steps 2-5 of docs/quantization.md
/// "Sigmoid" (the sigmoid's `e^-|x|`, the softmax's `e^(v - max)`). `t <= -86` (and -infinity)
/// gives 0: the exact value is below 4.5e-38.
public func exponential(nonPositive t: Float) -> Float {
    let half = Float(bitPattern: 0x3F00_0000)      // 0.5
    let log2e = Float(bitPattern: 0x3FB8_AA3B)     // log2(e)
    let ln2High = Float(bitPattern: 0x3F31_7200)   // ln 2, upper bits (k * ln2High is exact)
    let ln2Low = Float(bitPattern: 0x35BF_BE8E)    // ln 2 - ln2High
    let c0 = Float(bitPattern: 0x3F80_0000)        // 1
    let c1 = Float(bitPattern: 0x3F80_0000)        // 1
    let c2 = Float(bitPattern: 0x3F00_0000)        // 1/2
    let c3 = Float(bitPattern: 0x3E2A_AAAB)        // 1/6
    let c4 = Float(bitPattern: 0x3D2A_AAAB)        // 1/24
    let c5 = Float(bitPattern: 0x3C08_8889)        // 1/120
    let c6 = Float(bitPattern: 0x3AB6_0B61)        // 1/720
    let c7 = Float(bitPattern: 0x3950_0D01)        // 1/5040

    guard t > -86 else { return 0 }
    // k = round(t / ln 2) for t <= 0, as -floor(0.5 - t * log2(e)) (the conversion truncates).
    let k = -Int32(half - t * log2e)
    let kf = Float(Int(k))
    let r = (t - kf * ln2High) - kf * ln2Low
    var p = c7
    p = p * r + c6
    p = p * r + c5
    p = p * r + c4
    p = p * r + c3
    p = p * r + c2
    p = p * r + c1
    p = p * r + c0
    // 2^k for k in [-124, 0]: a normal float built from its exponent bits.
    let twoToK = Float(bitPattern: UInt32(truncatingIfNeeded: k &+ 127) &<< 23)
    return p * twoToK
}

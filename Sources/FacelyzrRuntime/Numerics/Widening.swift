// Integer width changes that Embedded Swift can compile for 32-bit targets.
//
// With Swift 6.3.1, when `Int` is 32 bits (armv7), conversions and shifts between integer types
// of different widths that involve a 64-bit type (`Int64(x)` for an `Int32` or `Int`,
// `Int32(clamping:)` from an `Int64`, `Int64 << Int`, also `Float(x)` for an `Int32`) go through
// the generic `BinaryInteger.words` path, which allocates an array and is rejected under
// `-no-allocations`. The runtime uses these helpers (one `asr` on armv7, nothing on 64-bit
// targets), same-type shifts (`&<<` with both sides `Int64`), and `Float(Int(x))`.

/// `Int64(x)`: sign extension of an `Int32`.
@inlinable
func widen(_ x: Int32) -> Int64 {
    // On 64-bit targets `Int(x)` is already sign-extended to 64 bits; on 32-bit targets the
    // word is zero-extended, so a negative value needs 2^32 taken away.
    let word = Int64(_truncatingBits: UInt(bitPattern: Int(x)))
    return Int.bitWidth == 64 || x >= 0 ? word : word &- 0x1_0000_0000
}

/// `Int32(clamping: x)`: an `Int64` saturated to the `Int32` range.
@inlinable
func saturatingNarrow(_ x: Int64) -> Int32 {
    if x > 2_147_483_647 { return Int32.max }
    if x < -2_147_483_648 { return Int32.min }
    return Int32(truncatingIfNeeded: x)
}

// Conversions the blob validator uses, for the same reason.

/// `x` as a UInt64.
@inline(__always) @usableFromInline func wide(_ x: UInt32) -> UInt64 { UInt64(_truncatingBits: UInt(x)) }
/// `x` (which is >= 0) as a UInt64.
@inline(__always) @usableFromInline func wide(_ x: Int) -> UInt64 { UInt64(_truncatingBits: UInt(bitPattern: x)) }
/// `x` as an Int64.
@inline(__always) @usableFromInline func int64(_ x: UInt32) -> Int64 { Int64(bitPattern: wide(x)) }
/// `x` (which is >= 0) as an Int64.
@inline(__always) @usableFromInline func int64(_ x: Int) -> Int64 { Int64(bitPattern: wide(x)) }
/// `x` (which fits) as an Int.
@inline(__always) @usableFromInline func narrow(_ x: UInt64) -> Int { Int(truncatingIfNeeded: x) }

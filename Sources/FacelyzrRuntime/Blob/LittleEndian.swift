// Unaligned-safe little-endian loads from blob bytes. Callers check bounds first.

extension UnsafeRawPointer {
    @inlinable func u8(_ offset: Int) -> UInt8 { load(fromByteOffset: offset, as: UInt8.self) }
    @inlinable func u16(_ offset: Int) -> UInt16 {
        UInt16(littleEndian: loadUnaligned(fromByteOffset: offset, as: UInt16.self))
    }
    @inlinable func u32(_ offset: Int) -> UInt32 {
        UInt32(littleEndian: loadUnaligned(fromByteOffset: offset, as: UInt32.self))
    }
    @inlinable func i32(_ offset: Int) -> Int32 { Int32(bitPattern: u32(offset)) }
    @inlinable func u64(_ offset: Int) -> UInt64 {
        UInt64(littleEndian: loadUnaligned(fromByteOffset: offset, as: UInt64.self))
    }
    @inlinable func f32(_ offset: Int) -> Float { Float(bitPattern: u32(offset)) }
}

// Widening to 64 bits without the generic `UInt64(x)` / `Int64(x)`: on 32-bit Embedded targets
// (armv7) those go through `words` and Swift 6.3 rejects them under `-no-allocations`.

/// `x` as a UInt64.
@inline(__always) @usableFromInline func wide(_ x: UInt32) -> UInt64 { UInt64(_truncatingBits: UInt(x)) }
/// `x` (which is >= 0) as a UInt64.
@inline(__always) @usableFromInline func wide(_ x: Int) -> UInt64 { UInt64(_truncatingBits: UInt(bitPattern: x)) }
/// `x` as an Int64.
@inline(__always) @usableFromInline func int64(_ x: UInt32) -> Int64 { Int64(bitPattern: wide(x)) }
/// `x` as an Int64 (sign-extended).
@inline(__always) @usableFromInline func int64(_ x: Int32) -> Int64 {
    let zeroExtended = Int64(bitPattern: wide(UInt32(bitPattern: x)))
    return x < 0 ? zeroExtended - 0x1_0000_0000 : zeroExtended
}
/// `x` (which is >= 0) as an Int64.
@inline(__always) @usableFromInline func int64(_ x: Int) -> Int64 { Int64(bitPattern: wide(x)) }
/// `x` (which fits) as an Int.
@inline(__always) @usableFromInline func narrow(_ x: UInt64) -> Int { Int(truncatingIfNeeded: x) }

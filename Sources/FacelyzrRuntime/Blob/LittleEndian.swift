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


/// CRC-32/IEEE (reflected polynomial 0xEDB88320, initial and final XOR 0xFFFFFFFF): the value
/// zlib's `crc32` and Python's `zlib.crc32` compute. Nibble-table form: no tables in memory.
public enum CRC32 {
    /// Continues `crc` (the value returned for the preceding bytes; 0 to start) over `count` bytes.
    public static func update(_ crc: UInt32, _ bytes: UnsafeRawPointer, count: Int) -> UInt32 {
        var c = ~crc
        for i in 0..<count {
            let byte = UInt32(bytes.load(fromByteOffset: i, as: UInt8.self))
            c = (c >> 4) ^ nibble((c ^ byte) & 0xF)
            c = (c >> 4) ^ nibble((c ^ (byte >> 4)) & 0xF)
        }
        return ~c
    }

    /// Continues `crc` over `count` zero bytes (stands in for a checksum field read as zero).
    static func updateZeros(_ crc: UInt32, count: Int) -> UInt32 {
        var c = ~crc
        for _ in 0..<(2 * count) { c = (c >> 4) ^ nibble(c & 0xF) }
        return ~c
    }

    @inline(__always)
    private static func nibble(_ i: UInt32) -> UInt32 {
        switch i {
        case 0: return 0x0000_0000
        case 1: return 0x1DB7_1064
        case 2: return 0x3B6E_20C8
        case 3: return 0x26D9_30AC
        case 4: return 0x76DC_4190
        case 5: return 0x6B6B_51F4
        case 6: return 0x4DB2_6158
        case 7: return 0x5005_713C
        case 8: return 0xEDB8_8320
        case 9: return 0xF00F_9344
        case 10: return 0xD6D6_A3E8
        case 11: return 0xCB61_B38C
        case 12: return 0x9B64_C2B0
        case 13: return 0x86D3_D2D4
        case 14: return 0xA00A_E278
        default: return 0xBDBD_F21C
        }
    }
}

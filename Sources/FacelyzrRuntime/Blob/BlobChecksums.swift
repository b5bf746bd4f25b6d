// The two checksums of a blob (docs/blob-format.md "Header"), shared by the reader, the
// builder and the fuzz harness.

extension BlobFormat {
    /// CRC-32 of the header and section table, `[0, headerSize)`, with the checksum field read as zero.
    public static func headerChecksum(_ base: UnsafeRawPointer, headerSize: Int) -> UInt32 {
        var crc = CRC32.update(0, base, count: Header.headerChecksum)
        crc = CRC32.updateZeros(crc, count: 4)
        let rest = Header.headerChecksum + 4
        return CRC32.update(crc, base + rest, count: headerSize - rest)
    }

    /// CRC-32 of the payload, `[headerSize, fileSize)`.
    public static func payloadChecksum(_ base: UnsafeRawPointer, headerSize: Int, fileSize: Int) -> UInt32 {
        CRC32.update(0, base + headerSize, count: fileSize - headerSize)
    }
}

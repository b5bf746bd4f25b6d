// CRC-32 (the zlib / PNG polynomial) for the dataset file's header and records.
#ifndef FACELYZR_CHECKSUM_H
#define FACELYZR_CHECKSUM_H

#include <stddef.h>
#include <stdint.h>

/// Continues a CRC-32 over `count` bytes; start with crc = 0.
uint32_t fz_crc32(uint32_t crc, const uint8_t *bytes, size_t count);

#endif

// See include/checksum.h: zlib's crc32, which libpng already depends on.
#include "checksum.h"

#include <zlib.h>

uint32_t fz_crc32(uint32_t crc, const uint8_t *bytes, size_t count) {
    while (count > 0) {
        const uInt chunk = count > 0x40000000u ? 0x40000000u : (uInt)count;
        crc = (uint32_t)crc32(crc, bytes, chunk);
        bytes += chunk;
        count -= chunk;
    }
    return crc;
}

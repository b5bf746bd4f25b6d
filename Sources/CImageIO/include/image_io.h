// C shim over libpng and libjpeg-turbo. It owns the setjmp/longjmp error handling of
// both libraries so that Swift never sees a longjmp; every call returns a status code
// and, on failure, a message from the library in `message`.
#ifndef FACELYZR_IMAGE_IO_H
#define FACELYZR_IMAGE_IO_H

#include <stddef.h>
#include <stdint.h>

/// Outcome of a decode or encode call.
typedef enum {
    FZ_OK = 0,
    /// The bytes do not start with the format's signature.
    FZ_WRONG_FORMAT = 1,
    /// The data ends before the image does.
    FZ_TRUNCATED = 2,
    /// The library rejected the data (bad chunk, CRC, Huffman code, header value, ...).
    FZ_CORRUPT = 3,
    /// The header declares more pixels than the caller's limits allow; nothing was allocated.
    FZ_TOO_LARGE = 4,
    /// An allocation failed.
    FZ_OUT_OF_MEMORY = 5,
    /// The arguments are invalid (encode: channels not 1 or 3, empty image, bad quality).
    FZ_INVALID_ARGUMENT = 6,
    /// The decoder needs more working memory than `fz_limits.max_decoder_bytes` (a
    /// progressive or multi-scan JPEG keeps the whole image's coefficients).
    FZ_OVER_MEMORY_LIMIT = 7,
} fz_status;

/// What a decode may use. The size is checked on the header before any pixel memory is
/// allocated; `max_decoder_bytes` caps libjpeg-turbo's whole-image buffers (its
/// `max_memory_to_use`). PNG ancillary chunks other than tRNS are skipped unread, so libpng
/// needs only row buffers. See docs/limits.md.
typedef struct {
    uint32_t max_side;
    uint64_t max_pixels;
    uint64_t max_decoder_bytes;
} fz_limits;

/// A decoded image: 8-bit, rows top to bottom, channels interleaved (1 = gray, 3 = RGB).
/// `pixels` is allocated with malloc; release it with `fz_free`.
/// On FZ_TOO_LARGE, width and height hold the declared size and `pixels` is NULL.
typedef struct {
    uint32_t width;
    uint32_t height;
    uint32_t channels;
    uint8_t *pixels;
    char message[200];
} fz_image;

/// An encoded file in memory, allocated with malloc; release `bytes` with `fz_free`.
typedef struct {
    uint8_t *bytes;
    size_t count;
    char message[200];
} fz_buffer;

/// Decodes a PNG of any colour type and bit depth to 8-bit gray (gray, gray+alpha) or RGB
/// (palette, RGB, RGBA). Palette and low bit depths are expanded, 16-bit samples scaled to
/// 8 bits with rounding, alpha (and tRNS transparency) composited over black.
fz_status fz_png_decode(const uint8_t *data, size_t size, fz_limits limits, fz_image *out);

/// Decodes a baseline or progressive JPEG to 8-bit gray (grayscale JPEG) or RGB (YCbCr,
/// RGB, CMYK and YCCK; Adobe's inverted CMYK is recognised). Premature end of data is
/// FZ_TRUNCATED and corrupt entropy-coded data FZ_CORRUPT, not a silently grey image.
fz_status fz_jpeg_decode(const uint8_t *data, size_t size, fz_limits limits, fz_image *out);

/// Encodes 8-bit gray (channels 1) or RGB (channels 3) pixels as a non-interlaced PNG.
fz_status fz_png_encode(const uint8_t *pixels, uint32_t width, uint32_t height,
                        uint32_t channels, fz_buffer *out);

/// Encodes 8-bit gray (channels 1) or RGB (channels 3) pixels as a baseline JFIF JPEG
/// with the given quality (1...100).
fz_status fz_jpeg_encode(const uint8_t *pixels, uint32_t width, uint32_t height,
                         uint32_t channels, int quality, fz_buffer *out);

/// Releases memory returned in `fz_image.pixels` or `fz_buffer.bytes`.
void fz_free(void *pointer);

#endif

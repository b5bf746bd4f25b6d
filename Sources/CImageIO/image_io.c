// See include/image_io.h. Every libpng / libjpeg error ends in a longjmp back to the
// function that called into the library; that function frees what it allocated and
// returns a status. Pointers assigned after setjmp and used on the error path are
// volatile, as C requires.
#include "image_io.h"

#include <png.h>
#include <jpeglib.h>
#include <jerror.h>
#include <limits.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void fz_free(void *pointer) { free(pointer); }

static void set_message(char *message, const char *text) {
    snprintf(message, 200, "%s", text);
}

/// Checks a declared size against the limits without allocating; fills the message.
static int exceeds(fz_limits limits, uint64_t width, uint64_t height, char *message) {
    if (width == 0 || height == 0) return 0;
    if (width > limits.max_side || height > limits.max_side || width * height > limits.max_pixels) {
        snprintf(message, 200, "declared size %llux%llu exceeds the limit (%u per side, %llu pixels)",
                 (unsigned long long)width, (unsigned long long)height, limits.max_side,
                 (unsigned long long)limits.max_pixels);
        return 1;
    }
    return 0;
}

// MARK: - PNG

/// Shared by the read and write paths: where libpng's error callback jumps to.
typedef struct {
    jmp_buf jump;
    char *message;
    int ran_out;  // the reader asked for bytes past the end of the data
} png_errors;

typedef struct {
    png_errors errors;
    const uint8_t *data;
    size_t size;
    size_t offset;
} png_reader;

typedef struct {
    png_errors errors;
    uint8_t *bytes;
    size_t count;
    size_t capacity;
} png_writer;

static void png_error_callback(png_structp png, png_const_charp text) {
    png_errors *errors = png_get_error_ptr(png);
    set_message(errors->message, text);
    longjmp(errors->jump, 1);
}

static void png_warning_callback(png_structp png, png_const_charp text) {
    (void)png;
    (void)text;
}

static void png_read_callback(png_structp png, png_bytep destination, size_t length) {
    png_reader *reader = png_get_io_ptr(png);
    if (length > reader->size - reader->offset) {
        reader->errors.ran_out = 1;
        png_error(png, "unexpected end of data");
    }
    memcpy(destination, reader->data + reader->offset, length);
    reader->offset += length;
}

static void png_write_callback(png_structp png, png_bytep data, size_t length) {
    png_writer *writer = png_get_io_ptr(png);
    if (length > writer->capacity - writer->count) {
        size_t capacity = writer->capacity * 2 + length + 4096;
        uint8_t *grown = realloc(writer->bytes, capacity);
        if (grown == NULL) png_error(png, "out of memory");
        writer->bytes = grown;
        writer->capacity = capacity;
    }
    memcpy(writer->bytes + writer->count, data, length);
    writer->count += length;
}

static void png_flush_callback(png_structp png) { (void)png; }

/// Composites `count` pixels of gray+alpha or RGBA over black, in place, dropping alpha.
static void composite_over_black(uint8_t *pixels, size_t count, uint32_t color_channels) {
    const uint32_t stride = color_channels + 1;
    for (size_t i = 0; i < count; i++) {
        const uint8_t *source = pixels + i * stride;
        uint8_t *target = pixels + i * color_channels;
        const uint32_t alpha = source[color_channels];
        for (uint32_t c = 0; c < color_channels; c++) {
            target[c] = (uint8_t)((source[c] * alpha + 127) / 255);
        }
    }
}

fz_status fz_png_decode(const uint8_t *data, size_t size, fz_limits limits, fz_image *out) {
    memset(out, 0, sizeof *out);
    if (size < 8 || png_sig_cmp(data, 0, 8) != 0) {
        set_message(out->message, size < 8 ? "too short for a PNG signature" : "no PNG signature");
        return FZ_WRONG_FORMAT;
    }
    png_reader reader = {.data = data, .size = size, .offset = 0};
    reader.errors.message = out->message;
    png_structp png = png_create_read_struct(PNG_LIBPNG_VER_STRING, &reader,
                                             png_error_callback, png_warning_callback);
    if (png == NULL) return FZ_OUT_OF_MEMORY;
    png_infop info = png_create_info_struct(png);
    if (info == NULL) {
        png_destroy_read_struct(&png, NULL, NULL);
        return FZ_OUT_OF_MEMORY;
    }
    uint8_t *volatile pixels = NULL;
    png_bytep *volatile rows = NULL;
    if (setjmp(reader.errors.jump)) {
        png_destroy_read_struct(&png, &info, NULL);
        free(pixels);
        free(rows);
        out->pixels = NULL;
        return reader.errors.ran_out ? FZ_TRUNCATED : FZ_CORRUPT;
    }
    // Our own limits below replace libpng's (1,000,000 per side) so they decide "too large".
    png_set_user_limits(png, PNG_UINT_31_MAX, PNG_UINT_31_MAX);
    // Every ancillary chunk but tRNS (text, ICC profiles, gamma, unknown chunks) is skipped
    // unread: libpng would otherwise allocate a text chunk's declared length (up to 2^31-1
    // bytes) before finding the data is not there. The pixels need none of them.
    png_set_keep_unknown_chunks(png, PNG_HANDLE_CHUNK_NEVER, NULL, -1);
    png_set_read_fn(png, &reader, png_read_callback);
    png_read_info(png, info);

    png_uint_32 width = 0, height = 0;
    int depth = 0, color = 0;
    png_get_IHDR(png, info, &width, &height, &depth, &color, NULL, NULL, NULL);
    out->width = width;
    out->height = height;
    if (exceeds(limits, width, height, out->message)) {
        png_destroy_read_struct(&png, &info, NULL);
        return FZ_TOO_LARGE;
    }
    png_set_expand(png);  // palette -> RGB, gray < 8 bits -> 8 bits, tRNS -> alpha
    png_set_scale_16(png);
    png_set_interlace_handling(png);
    png_read_update_info(png, info);

    const uint32_t decoded_channels = png_get_channels(png, info);  // 1, 2, 3 or 4
    const size_t row_bytes = png_get_rowbytes(png, info);
    if (row_bytes != (size_t)width * decoded_channels) png_error(png, "unexpected row layout");
    pixels = malloc(row_bytes * height);
    rows = malloc(sizeof(png_bytep) * height);
    if (pixels == NULL || rows == NULL) {
        png_destroy_read_struct(&png, &info, NULL);
        free(pixels);
        free(rows);
        set_message(out->message, "out of memory");
        return FZ_OUT_OF_MEMORY;
    }
    for (png_uint_32 y = 0; y < height; y++) rows[y] = pixels + (size_t)y * row_bytes;
    png_read_image(png, rows);
    png_read_end(png, NULL);  // a missing IEND is a truncated file
    png_destroy_read_struct(&png, &info, NULL);
    free(rows);

    const uint32_t color_channels = decoded_channels <= 2 ? 1 : 3;
    if (decoded_channels == 2 || decoded_channels == 4) {
        composite_over_black(pixels, (size_t)width * height, color_channels);
    }
    out->channels = color_channels;
    out->pixels = pixels;
    return FZ_OK;
}

fz_status fz_png_encode(const uint8_t *pixels, uint32_t width, uint32_t height,
                        uint32_t channels, fz_buffer *out) {
    memset(out, 0, sizeof *out);
    if ((channels != 1 && channels != 3) || width == 0 || height == 0 ||
        width > PNG_UINT_31_MAX || height > PNG_UINT_31_MAX) {
        set_message(out->message, "PNG encode needs a non-empty gray or RGB image");
        return FZ_INVALID_ARGUMENT;
    }
    png_writer writer = {.bytes = NULL, .count = 0, .capacity = 0};
    writer.errors.message = out->message;
    png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, &writer,
                                              png_error_callback, png_warning_callback);
    if (png == NULL) return FZ_OUT_OF_MEMORY;
    png_infop info = png_create_info_struct(png);
    if (info == NULL) {
        png_destroy_write_struct(&png, NULL);
        return FZ_OUT_OF_MEMORY;
    }
    if (setjmp(writer.errors.jump)) {
        png_destroy_write_struct(&png, &info);
        free(writer.bytes);
        return FZ_OUT_OF_MEMORY;  // the only error the write path can meet
    }
    png_set_write_fn(png, &writer, png_write_callback, png_flush_callback);
    png_set_IHDR(png, info, width, height, 8,
                 channels == 1 ? PNG_COLOR_TYPE_GRAY : PNG_COLOR_TYPE_RGB,
                 PNG_INTERLACE_NONE, PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
    png_write_info(png, info);
    const size_t row_bytes = (size_t)width * channels;
    for (uint32_t y = 0; y < height; y++) {
        png_write_row(png, pixels + (size_t)y * row_bytes);
    }
    png_write_end(png, NULL);
    png_destroy_write_struct(&png, &info);
    out->bytes = writer.bytes;
    out->count = writer.count;
    return FZ_OK;
}

// MARK: - JPEG

typedef struct {
    struct jpeg_error_mgr base;
    jmp_buf jump;
    fz_status status;
    char *message;
} jpeg_errors;

/// Largest number of scans accepted in a progressive JPEG (libjpeg-turbo's advice against
/// crafted files with thousands of scans that take minutes to decode).
enum { max_jpeg_scans = 500 };

static void jpeg_fail(j_common_ptr cinfo, fz_status status) {
    jpeg_errors *errors = (jpeg_errors *)cinfo->err;
    char text[JMSG_LENGTH_MAX];
    (*cinfo->err->format_message)(cinfo, text);
    set_message(errors->message, text);
    errors->status = status;
    longjmp(errors->jump, 1);
}

static void jpeg_error_exit(j_common_ptr cinfo) {
    switch (cinfo->err->msg_code) {
    case JERR_IMAGE_TOO_BIG: jpeg_fail(cinfo, FZ_TOO_LARGE); break;
    case JERR_OUT_OF_MEMORY: jpeg_fail(cinfo, FZ_OUT_OF_MEMORY); break;
    // Whole-image buffers beyond max_memory_to_use would need a backing store (none here).
    case JERR_NO_BACKING_STORE: jpeg_fail(cinfo, FZ_OVER_MEMORY_LIMIT); break;
    case JERR_INPUT_EMPTY:
    case JERR_INPUT_EOF: jpeg_fail(cinfo, FZ_TRUNCATED); break;
    default: jpeg_fail(cinfo, FZ_CORRUPT); break;
    }
}

/// Warnings that mean the pixels would be wrong become errors; trace messages are dropped.
static void jpeg_emit_message(j_common_ptr cinfo, int level) {
    if (level >= 0) return;
    switch (cinfo->err->msg_code) {
    case JWRN_JPEG_EOF: jpeg_fail(cinfo, FZ_TRUNCATED); break;
    case JWRN_HIT_MARKER:
    case JWRN_HUFF_BAD_CODE:
    case JWRN_ARITH_BAD_CODE:
    case JWRN_MUST_RESYNC:
    case JWRN_NOT_SEQUENTIAL:
    case JWRN_BOGUS_PROGRESSION: jpeg_fail(cinfo, FZ_CORRUPT); break;
    default: break;
    }
}

static void jpeg_progress(j_common_ptr cinfo) {
    j_decompress_ptr decompress = (j_decompress_ptr)cinfo;
    if (decompress->input_scan_number > max_jpeg_scans) {
        jpeg_errors *errors = (jpeg_errors *)cinfo->err;
        set_message(errors->message, "more than 500 scans in a progressive JPEG");
        errors->status = FZ_CORRUPT;
        longjmp(errors->jump, 1);
    }
}

static void install_jpeg_errors(j_common_ptr cinfo, jpeg_errors *errors, char *message) {
    cinfo->err = jpeg_std_error(&errors->base);
    errors->base.error_exit = jpeg_error_exit;
    errors->base.emit_message = jpeg_emit_message;
    errors->message = message;
    errors->status = FZ_OK;
}

/// CMYK (or YCCK decoded to CMYK) to RGB. Adobe writes inverted CMYK (255 = no ink).
static void cmyk_to_rgb(const uint8_t *cmyk, uint8_t *rgb, size_t count, int inverted) {
    for (size_t i = 0; i < count; i++) {
        uint32_t c = cmyk[4 * i], m = cmyk[4 * i + 1], y = cmyk[4 * i + 2], k = cmyk[4 * i + 3];
        if (!inverted) {
            c = 255 - c; m = 255 - m; y = 255 - y; k = 255 - k;
        }
        rgb[3 * i] = (uint8_t)((c * k + 127) / 255);
        rgb[3 * i + 1] = (uint8_t)((m * k + 127) / 255);
        rgb[3 * i + 2] = (uint8_t)((y * k + 127) / 255);
    }
}

fz_status fz_jpeg_decode(const uint8_t *data, size_t size, fz_limits limits, fz_image *out) {
    memset(out, 0, sizeof *out);
    if (size < 3 || data[0] != 0xFF || data[1] != 0xD8 || data[2] != 0xFF) {
        set_message(out->message, size < 3 ? "too short for a JPEG signature" : "no JPEG signature");
        return FZ_WRONG_FORMAT;
    }
    struct jpeg_decompress_struct cinfo;
    jpeg_errors errors;
    struct jpeg_progress_mgr progress = {.progress_monitor = jpeg_progress};
    install_jpeg_errors((j_common_ptr)&cinfo, &errors, out->message);
    uint8_t *volatile pixels = NULL;
    uint8_t *volatile cmyk_row = NULL;
    if (setjmp(errors.jump)) {
        if (errors.status == FZ_TOO_LARGE) {  // beyond libjpeg's 65,500: report the declared size
            out->width = cinfo.image_width;
            out->height = cinfo.image_height;
        }
        jpeg_destroy_decompress(&cinfo);
        free(pixels);
        free(cmyk_row);
        out->pixels = NULL;
        return errors.status;
    }
    jpeg_create_decompress(&cinfo);
    cinfo.mem->max_memory_to_use = (long)(limits.max_decoder_bytes > LONG_MAX ? LONG_MAX : limits.max_decoder_bytes);
    cinfo.progress = &progress;
    jpeg_mem_src(&cinfo, data, (unsigned long)size);
    jpeg_read_header(&cinfo, TRUE);
    out->width = cinfo.image_width;
    out->height = cinfo.image_height;
    if (exceeds(limits, cinfo.image_width, cinfo.image_height, out->message)) {
        jpeg_destroy_decompress(&cinfo);
        return FZ_TOO_LARGE;
    }
    const int is_cmyk = cinfo.jpeg_color_space == JCS_CMYK || cinfo.jpeg_color_space == JCS_YCCK;
    if (cinfo.jpeg_color_space == JCS_GRAYSCALE) {
        cinfo.out_color_space = JCS_GRAYSCALE;
    } else if (is_cmyk) {
        cinfo.out_color_space = JCS_CMYK;
    } else {
        cinfo.out_color_space = JCS_RGB;
    }
    jpeg_start_decompress(&cinfo);
    const uint32_t channels = cinfo.out_color_space == JCS_GRAYSCALE ? 1 : 3;
    const size_t width = cinfo.output_width, height = cinfo.output_height;
    const size_t row_bytes = width * channels;
    pixels = malloc(row_bytes * height);
    if (is_cmyk) cmyk_row = malloc(width * 4);
    if (pixels == NULL || (is_cmyk && cmyk_row == NULL)) {
        set_message(out->message, "out of memory");
        errors.status = FZ_OUT_OF_MEMORY;
        longjmp(errors.jump, 1);
    }
    while (cinfo.output_scanline < cinfo.output_height) {
        const size_t y = cinfo.output_scanline;
        JSAMPROW row = is_cmyk ? cmyk_row : pixels + y * row_bytes;
        if (jpeg_read_scanlines(&cinfo, &row, 1) != 1) {
            set_message(out->message, "decoder returned no scanline");
            errors.status = FZ_CORRUPT;
            longjmp(errors.jump, 1);
        }
        if (is_cmyk) cmyk_to_rgb(cmyk_row, pixels + y * row_bytes, width, cinfo.saw_Adobe_marker);
    }
    jpeg_finish_decompress(&cinfo);  // a missing EOI is a truncated file
    jpeg_destroy_decompress(&cinfo);
    free(cmyk_row);
    out->width = (uint32_t)width;
    out->height = (uint32_t)height;
    out->channels = channels;
    out->pixels = pixels;
    return FZ_OK;
}

fz_status fz_jpeg_encode(const uint8_t *pixels, uint32_t width, uint32_t height,
                         uint32_t channels, int quality, fz_buffer *out) {
    memset(out, 0, sizeof *out);
    if ((channels != 1 && channels != 3) || width == 0 || height == 0 || width > 65500 ||
        height > 65500 || quality < 1 || quality > 100) {
        set_message(out->message, "JPEG encode needs a gray or RGB image of 1...65500 per side "
                                  "and quality 1...100");
        return FZ_INVALID_ARGUMENT;
    }
    struct jpeg_compress_struct cinfo;
    jpeg_errors errors;
    // Written by libjpeg through the pointer given to jpeg_mem_dest, so it lives in memory.
    unsigned char *bytes = NULL;
    unsigned long count = 0;
    install_jpeg_errors((j_common_ptr)&cinfo, &errors, out->message);
    if (setjmp(errors.jump)) {
        jpeg_destroy_compress(&cinfo);
        free(bytes);
        return errors.status;
    }
    jpeg_create_compress(&cinfo);
    jpeg_mem_dest(&cinfo, &bytes, &count);
    cinfo.image_width = width;
    cinfo.image_height = height;
    cinfo.input_components = (int)channels;
    cinfo.in_color_space = channels == 1 ? JCS_GRAYSCALE : JCS_RGB;
    jpeg_set_defaults(&cinfo);
    jpeg_set_quality(&cinfo, quality, TRUE);
    jpeg_start_compress(&cinfo, TRUE);
    const size_t row_bytes = (size_t)width * channels;
    while (cinfo.next_scanline < cinfo.image_height) {
        JSAMPROW row = (JSAMPROW)(pixels + (size_t)cinfo.next_scanline * row_bytes);
        jpeg_write_scanlines(&cinfo, &row, 1);
    }
    jpeg_finish_compress(&cinfo);
    jpeg_destroy_compress(&cinfo);
    out->bytes = bytes;
    out->count = count;
    return FZ_OK;
}

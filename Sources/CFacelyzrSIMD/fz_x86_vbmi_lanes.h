/*
 * x86-64 with AVX-512 VNNI and VBMI (fz_x86_has_avx512vbmi()): conv2D in pixel lanes for small
 * receptive fields (the first convolution), the whole op in one call, fused max pool included.
 * Include facelyzr_simd.h, not this file; see docs/kernels.md "Pixel lanes".
 */
#ifndef FZ_X86_VBMI_LANES_H
#define FZ_X86_VBMI_LANES_H

#include "fz_x86_avx512vnni.h"

/*
 * For a field K = kernel_height * kernel_width * in_channels of at most 32 bytes (the first
 * convolution: 3x3x3 = 27), stride 1 along x: 16 output pixels of a row in the 16 int32 lanes
 * of a zmm, one accumulator per output channel of a block of 16. The field is cut into quads of
 * 4 bytes as a whole (7 for 27 bytes), not per kernel row (the quad tiles' 9, each kernel row
 * padded from 9 to 12): per quad, one vpermt2b puts each pixel's 4 field bytes into its lane from
 * the input rows held in registers (loaded once per 16 pixels, masked: taps outside the image
 * read the zero point), and 16 vpdpbusd add channel c's 4 weights, broadcast from memory, times
 * them. The packed weights are the quad tiles' [block][quad][16][4] with one kernel row of K
 * bytes, and the bias is folded the same way (x XOR 0x80, (zero point + 128) * sum(w)). The 16
 * accumulators are then transposed to one zmm per pixel (lanes = channels) and requantised as
 * the quad tiles do. */
#define FZ_LANES __attribute__((target("avx2,avx512f,avx512bw,avx512vl,avx512vnni,avx512vbmi")))

/* Per op: for each quad q of the field, the vpermt2b indices that put field bytes 4q..4q+3 of
 * pixel i into lane i, from kernel row row[q] (indices below 64) and row[q] + 1 (64 and up). */
typedef struct {
    uint8_t index[8][64];
    intptr_t row[8];
    intptr_t quads;
} fz_lanes_plan;

/* The plan for kernel rows of `row_length` = kernel_width * in_channels bytes (at least 4, so a
 * quad spans at most two rows; the field at most 32 bytes; 15 * in_channels + row_length <= 64). */
static inline void fz_lanes_plan_init(fz_lanes_plan *plan, intptr_t kernel_height, intptr_t row_length, intptr_t in_channels) {
    const intptr_t field = kernel_height * row_length;
    plan->quads = (field + 3) / 4;
    for (intptr_t q = 0; q < plan->quads; q++) {
        plan->row[q] = 4 * q / row_length;
        for (intptr_t i = 0; i < 16; i++) {
            for (intptr_t b = 0; b < 4; b++) {
                const intptr_t f = 4 * q + b;
                uint8_t index = 0; /* beyond the field: any byte, its weight is 0 */
                if (f < field) index = (uint8_t)(i * in_channels + f % row_length + (f / row_length == plan->row[q] ? 0 : 64));
                plan->index[q][4 * i + b] = index;
            }
        }
    }
}

/* M(0) ... M(15), M(0) ... M(7): straight-line code (clang, as Swift invokes it, does not unroll
 * loops, and arrays indexed in a loop stay in memory; with constant indices they live in
 * registers). */
#define FZ_REP8(M) M(0) M(1) M(2) M(3) M(4) M(5) M(6) M(7)
#define FZ_REP16(M) FZ_REP8(M) M(8) M(9) M(10) M(11) M(12) M(13) M(14) M(15)

/* The 16 rows of 16 int32 a[c] (lanes i) transposed in place (a[i], lanes c): unpack 32- and
 * 64-bit, then two rounds of 128-bit shuffles. */
#define FZ_T32(k) t[2 * (k)] = _mm512_unpacklo_epi32(a[2 * (k)], a[2 * (k) + 1]); t[2 * (k) + 1] = _mm512_unpackhi_epi32(a[2 * (k)], a[2 * (k) + 1]);
#define FZ_T64(g) \
    u[4 * (g)] = _mm512_unpacklo_epi64(t[4 * (g)], t[4 * (g) + 2]); u[4 * (g) + 1] = _mm512_unpackhi_epi64(t[4 * (g)], t[4 * (g) + 2]); \
    u[4 * (g) + 2] = _mm512_unpacklo_epi64(t[4 * (g) + 1], t[4 * (g) + 3]); u[4 * (g) + 3] = _mm512_unpackhi_epi64(t[4 * (g) + 1], t[4 * (g) + 3]);
/* u[4g + e], 128-bit block k: rows 4g..4g+3 at column 4k + e. */
#define FZ_T128(e) { \
        const __m512i v0 = _mm512_shuffle_i32x4(u[e], u[4 + (e)], 0x88), v1 = _mm512_shuffle_i32x4(u[e], u[4 + (e)], 0xdd); \
        const __m512i v2 = _mm512_shuffle_i32x4(u[8 + (e)], u[12 + (e)], 0x88), v3 = _mm512_shuffle_i32x4(u[8 + (e)], u[12 + (e)], 0xdd); \
        a[e] = _mm512_shuffle_i32x4(v0, v2, 0x88); a[8 + (e)] = _mm512_shuffle_i32x4(v0, v2, 0xdd); \
        a[4 + (e)] = _mm512_shuffle_i32x4(v1, v3, 0x88); a[12 + (e)] = _mm512_shuffle_i32x4(v1, v3, 0xdd); \
    }
#define FZ_INIT(c) a[c] = _mm512_set1_epi32(b[c]);
#define FZ_DOT(c) a[c] = _mm512_dpbusd_epi32(a[c], u, _mm512_set1_epi32(fz_load_i32(wq + 4 * (c))));

FZ_LANES __attribute__((always_inline))
static inline void fz_lanes_transpose(__m512i *a) {
    __m512i t[16], u[16];
    FZ_REP8(FZ_T32)
    FZ_T64(0) FZ_T64(1) FZ_T64(2) FZ_T64(3)
    FZ_T128(0) FZ_T128(1) FZ_T128(2) FZ_T128(3)
}

/* `count` input rows from in_y (the zero point outside the image), XOR 0x80: load_bytes from
 * first_byte = (x0 - pad_left) * in_channels, the input of 16 output pixels from x0. */
FZ_LANES __attribute__((always_inline))
static inline void fz_lanes_rows(
    const int8_t *input, intptr_t in_height, intptr_t row_bytes, intptr_t in_y, intptr_t count, intptr_t first_byte,
    intptr_t load_bytes, int8_t zero_point, __m512i *rows) {
    const __m512i flip = _mm512_set1_epi8((char)0x80), zp = _mm512_set1_epi8((char)zero_point);
    const __mmask64 mask = fz_avx512_inside(first_byte, load_bytes, row_bytes);
    for (intptr_t k = 0; k < count; k++) {
        const intptr_t y = in_y + k;
        __m512i v = zp;
        /* Masked-off bytes are not read (AVX-512 suppresses their faults), so the address may
         * lie outside the row. */
        if (y >= 0 && y < in_height) v = _mm512_mask_loadu_epi8(zp, mask, (const void *)((uintptr_t)(input + y * row_bytes) + (uintptr_t)first_byte));
        rows[k] = _mm512_xor_si512(v, flip);
    }
}

/* The accumulators of 16 output pixels (x0... of the row whose first input row is in_y; the
 * input row bytes from first_byte = (x0 - pad_left) * in_channels, load_bytes of them) x the 16
 * channels of the block at w (bias b), as a[channel] (lanes = pixels; fz_lanes_transpose turns
 * them into a[pixel]). */
FZ_LANES __attribute__((always_inline))
static inline void fz_lanes_segment(
    const fz_lanes_plan *plan, const int8_t *w, const int32_t *b, const int8_t *input, intptr_t in_height, intptr_t row_bytes,
    intptr_t in_y, intptr_t kernel_height, intptr_t first_byte, intptr_t load_bytes, int8_t zero_point, __m512i *a) {
    __m512i rows[9];
    fz_lanes_rows(input, in_height, row_bytes, in_y, kernel_height, first_byte, load_bytes, zero_point, rows);
    rows[kernel_height] = rows[kernel_height - 1];
    FZ_REP16(FZ_INIT)
    for (intptr_t q = 0; q < plan->quads; q++) {
        const __m512i u = _mm512_permutex2var_epi8(rows[plan->row[q]], _mm512_loadu_si512(plan->index[q]), rows[plan->row[q] + 1]);
        const int8_t *wq = w + 64 * q;
        FZ_REP16(FZ_DOT)
    }
}

/* For a 2x2 max pool: 8 channels (8h...) of 16 pixels of two output rows at once, their maximum
 * into a[8h + c] (lanes = pixels); rows[k] the input rows of the first output row's kernel row
 * k, the second's are rows[k + step] (step = stride_height). Both rows' 16 accumulators stay in
 * registers, each channel's weights broadcast once for the two (with 16 channels of one row
 * kept while the next row's were computed, clang rotated 24 registers per quad). */
#define FZ_INIT2(c) a0[c] = a1[c] = _mm512_set1_epi32(b[8 * h + (c)]);
#define FZ_DOT2(c) { \
        const __m512i wc = _mm512_set1_epi32(fz_load_i32(wq + 4 * (8 * h + (c)))); \
        a0[c] = _mm512_dpbusd_epi32(a0[c], u0, wc); a1[c] = _mm512_dpbusd_epi32(a1[c], u1, wc); \
    }
#define FZ_MAX2(c) a[8 * h + (c)] = _mm512_max_epi32(a0[c], a1[c]);
FZ_LANES __attribute__((always_inline))
static inline void fz_lanes_pooled_half(
    const fz_lanes_plan *plan, const int8_t *w, const int32_t *b, const __m512i *rows, intptr_t step, const int h, __m512i *a) {
    __m512i a0[8], a1[8];
    FZ_REP8(FZ_INIT2)
    for (intptr_t q = 0; q < plan->quads; q++) {
        const __m512i index = _mm512_loadu_si512(plan->index[q]);
        const intptr_t r = plan->row[q];
        const __m512i u0 = _mm512_permutex2var_epi8(rows[r], index, rows[r + 1]);
        const __m512i u1 = _mm512_permutex2var_epi8(rows[r + step], index, rows[r + step + 1]);
        const int8_t *wq = w + 64 * q;
        FZ_REP8(FZ_DOT2)
    }
    FZ_REP8(FZ_MAX2)
}
#undef FZ_INIT2
#undef FZ_DOT2
#undef FZ_MAX2
#undef FZ_T32
#undef FZ_T64
#undef FZ_T128
#undef FZ_INIT
#undef FZ_DOT

/* Pixel i of a segment requantised into o + i * out_channels, if i < n. */
#define FZ_LANES_STORE(i) if ((i) < n) fz_avx512_requantize_store(a[i], &c, r, o + (i) * out_channels, lanes);
/* Pooled pixel k: the maximum of pixels 2k and 2k + 1. */
#define FZ_LANES_POOL_STORE(k) if ((k) < n) \
    fz_avx512_requantize_store(_mm512_max_epi32(a[2 * (k)], a[2 * (k) + 1]), &c, r, o + (k) * out_channels, lanes);

/* conv2D of an op fz_lanes_plan_init takes (strideWidth 1), whole, double rounding: `blocks`
 * blocks of 16 channels (weights w, block_stride bytes apart, packed bias b), output
 * out_height x out_width x out_channels; with r->max_pool the output is the 2x2 max pool of
 * that (out_height / 2 x out_width / 2), the maximum taken on the accumulators. */
FZ_LANES
static inline void fz_avx512vnni_lanes_conv(
    const fz_lanes_plan *plan, const int8_t *w, intptr_t block_stride, intptr_t blocks, const int32_t *b,
    const fz_requantization *r, const int8_t *input, intptr_t in_height, intptr_t in_width, intptr_t in_channels,
    intptr_t kernel_height, intptr_t kernel_width, intptr_t stride_height, intptr_t pad_top, intptr_t pad_left,
    int8_t zero_point, int8_t *out, intptr_t out_height, intptr_t out_width, intptr_t out_channels) {
    const intptr_t row_bytes = in_width * in_channels, load_bytes = (15 + kernel_width) * in_channels;
    for (intptr_t block = 0; block < blocks; block++) {
        const fz_avx512_requantization c = fz_avx512_requantization_at(r, (int)(16 * block));
        const int8_t *wb = w + block * block_stride;
        const int32_t *bb = b + 16 * block;
        const __mmask16 lanes = fz_avx512_channel_mask(out_channels - 16 * block);
        __m512i a[16];
        if (!r->max_pool) {
            for (intptr_t y = 0; y < out_height; y++) {
                for (intptr_t x0 = 0; x0 < out_width; x0 += 16) {
                    fz_lanes_segment(plan, wb, bb, input, in_height, row_bytes, y * stride_height - pad_top, kernel_height,
                                     (x0 - pad_left) * in_channels, load_bytes, zero_point, a);
                    fz_lanes_transpose(a);
                    const intptr_t n = out_width - x0;
                    int8_t *o = out + (y * out_width + x0) * out_channels + 16 * block;
                    FZ_REP16(FZ_LANES_STORE)
                }
            }
            continue;
        }
        const intptr_t pooled_height = out_height / 2, pooled_width = out_width / 2;
        for (intptr_t y = 0; y < pooled_height; y++) {
            for (intptr_t x0 = 0; x0 < 2 * pooled_width; x0 += 16) {
                __m512i rows[12]; /* kernel_height <= 8 (a field of at most 32 bytes, rows of 4 or more), step <= 3 */
                fz_lanes_rows(input, in_height, row_bytes, 2 * y * stride_height - pad_top, kernel_height + stride_height,
                              (x0 - pad_left) * in_channels, load_bytes, zero_point, rows);
                rows[kernel_height + stride_height] = rows[kernel_height + stride_height - 1];
                fz_lanes_pooled_half(plan, wb, bb, rows, stride_height, 0, a);
                fz_lanes_pooled_half(plan, wb, bb, rows, stride_height, 1, a);
                fz_lanes_transpose(a);
                const intptr_t n = pooled_width - x0 / 2;
                int8_t *o = out + (y * pooled_width + x0 / 2) * out_channels + 16 * block;
                FZ_REP8(FZ_LANES_POOL_STORE)
            }
        }
    }
}
#undef FZ_LANES_STORE
#undef FZ_LANES_POOL_STORE
#undef FZ_REP8
#undef FZ_REP16
#undef FZ_LANES

#endif /* FZ_X86_VBMI_LANES_H */

/*
 * aarch64 ARMv8.2 with the dot product (cortex-a76, Pi 5; compiled in every aarch64 build,
 * called only when fz_neon_has_dotprod()): the quad tiles and runs of conv2D with indexed
 * sdot, and the combined quad of the first convolution. Include facelyzr_simd.h, not this
 * file; see docs/kernels.md.
 */
#ifndef FZ_NEON_SDOT_H
#define FZ_NEON_SDOT_H

#include "fz_neon_common.h"

/* Compiled for ARMv8.2 + dot product in every aarch64 build, called only when
 * fz_neon_has_dotprod() (the build targets it). */
#define FZ_DOTPROD __attribute__((target("dotprod")))

/* One quad of the field (lane `lane` of each pixel's x vector) times 16 channels of weights
 * (the next 64 bytes at wq) into pixel p's four accumulators a<p>0..a<p>3. */
#define FZ_SDOT_PIXEL(p, lane) \
    a##p##0 = vdotq_laneq_s32(a##p##0, w.val[0], x##p##v, lane); \
    a##p##1 = vdotq_laneq_s32(a##p##1, w.val[1], x##p##v, lane); \
    a##p##2 = vdotq_laneq_s32(a##p##2, w.val[2], x##p##v, lane); \
    a##p##3 = vdotq_laneq_s32(a##p##3, w.val[3], x##p##v, lane);
/* The weight pointer's advance goes through an empty asm so it folds into the load as a
 * post-index (as FZ_ADVANCE; clang otherwise computed each load's address: 79 instructions per
 * 4 quads instead of 74). */
#define FZ_SDOT_QUAD(lane) { \
        int8x16x4_t w = vld1q_s8_x4(wq); FZ_ADVANCE(wq, 64); \
        FZ_SDOT_PIXEL(0, lane) FZ_SDOT_PIXEL(1, lane) FZ_SDOT_PIXEL(2, lane) FZ_SDOT_PIXEL(3, lane) \
    }
#define FZ_SDOT_STORE(p) do { \
        if ((p) < pixels) fz_neon_store_16(a##p##0, a##p##1, a##p##2, a##p##3, r, offset, out + (p) * pixel_stride, \
                                           channels, acc + 64 * (p)); \
    } while (0)

/* The `tail` (1 to 3) quads at p in lanes 0..tail-1, read without going past them: ldr s,
 * ldr d, or ldr d and a lane load. */
static inline int8x16_t fz_neon_load_quads(const int8_t *p, intptr_t tail) {
    if (tail == 1) return fz_neon_quad(p);
    int32x4_t v = vreinterpretq_s32_s64(vcombine_s64(vld1_s64((const int64_t *)(const void *)p), vdup_n_s64(0)));
    if (tail == 3) v = vld1q_lane_s32((const int32_t *)(const void *)(p + 8), v, 2);
    return vreinterpretq_s8_s32(v);
}

/* Tiles of 3 kernel rows of 3 quads whose third quad holds one tap (3x3 over 3 channels: 9
 * bytes a row, padded to 12): the third quads of the 3 rows, 3 taps with 9 zero weights, go
 * as one quad (bytes: the 3 rows' byte 8, then 0), 7 quads instead of 9. Whether the weights
 * at `w` (one block of 16 channels, [row][quad][16][4]) have bytes 1-3 of every third quad
 * zero, so that the combined quad gives the same sums. */
FZ_DOTPROD
static inline int fz_neon_sdot_combinable(const int8_t *w) {
    uint32x4_t any = vdupq_n_u32(0);
    for (int row = 0; row < 3; row++) {
        uint8x16x4_t q = vld1q_u8_x4((const uint8_t *)(w + (3 * row + 2) * 64));
        for (int i = 0; i < 4; i++) any = vorrq_u32(any, vreinterpretq_u32_u8(q.val[i]));
    }
    return vmaxvq_u32(vshrq_n_u32(any, 8)) == 0;
}

/* The combined third quads' weights: lane c holds byte 0 of the third quad of rows 0, 1, 2 of
 * channel c, then 0 (sli inserts each next row's byte above the ones before). */
FZ_DOTPROD
static inline int8x16x4_t fz_neon_sdot_combine(const int8_t *w) {
    uint32x4x4_t q0 = vld1q_u32_x4((const uint32_t *)(const void *)(w + 2 * 64));
    uint32x4x4_t q1 = vld1q_u32_x4((const uint32_t *)(const void *)(w + 5 * 64));
    uint32x4x4_t q2 = vld1q_u32_x4((const uint32_t *)(const void *)(w + 8 * 64));
    int8x16x4_t c;
    for (int i = 0; i < 4; i++)
        c.val[i] = vreinterpretq_s8_u32(vsliq_n_u32(vsliq_n_u32(q0.val[i], q1.val[i], 8), q2.val[i], 16));
    return c;
}

/* 4 output pixels x 16 channels (the block at `w`, channels `offset`... of the tile; row
 * pointers x[i] + x_offset) with indexed sdot: each accumulator holds 4 channels, so no reduction at the end. With
 * r->max_pool the 4 pixels' maximum is stored as pixel 0. A row's quads go 4 at a time (one
 * 16-byte load per pixel), then the 1 to 3 left (rows of 3 quads: the first convolution's 3x3x3
 * field) with one or two loads per pixel. */
FZ_DOTPROD __attribute__((always_inline))
static inline void fz_neon_sdot_block(
    const int8_t *w, const int8_t *const *x, intptr_t x_offset, intptr_t rows, intptr_t quads, const int32_t *bias,
    const fz_requantization *r, int offset, int8_t *out, intptr_t pixel_stride, intptr_t pixels,
    intptr_t channels, int32_t *acc, const int8x16x4_t *combined) {
    const int32x4_t b0 = vld1q_s32(bias), b1 = vld1q_s32(bias + 4), b2 = vld1q_s32(bias + 8), b3 = vld1q_s32(bias + 12);
    int32x4_t a00 = b0, a01 = b1, a02 = b2, a03 = b3, a10 = b0, a11 = b1, a12 = b2, a13 = b3;
    int32x4_t a20 = b0, a21 = b1, a22 = b2, a23 = b3, a30 = b0, a31 = b1, a32 = b2, a33 = b3;
    const int8_t *wq = w;
    const intptr_t tail = quads & 3;
    if (combined) {
        /* 3 rows of 3 quads, fz_neon_sdot_combinable: first, per pixel, a vector whose lane 0
         * holds the 3 rows' byte 8 (byte 3: row 0's byte 11, times a zero weight) times
         * *combined, then quads 0 and 1 of each row (ldr d). */
        {
#define FZ_SDOT_TAPS(p) \
            int8x16_t x##p##v = fz_neon_quad(x[p] + x_offset + 8); \
            x##p##v = vld1q_lane_s8(x[4 + p] + x_offset + 8, x##p##v, 1); \
            x##p##v = vld1q_lane_s8(x[8 + p] + x_offset + 8, x##p##v, 2);
            FZ_SDOT_TAPS(0) FZ_SDOT_TAPS(1) FZ_SDOT_TAPS(2) FZ_SDOT_TAPS(3)
#undef FZ_SDOT_TAPS
            const int8x16x4_t w = *combined;
            FZ_SDOT_PIXEL(0, 0) FZ_SDOT_PIXEL(1, 0) FZ_SDOT_PIXEL(2, 0) FZ_SDOT_PIXEL(3, 0)
        }
        for (intptr_t row = 0; row < 3; row++) {
            const int8_t *x0 = x[4 * row] + x_offset, *x1 = x[4 * row + 1] + x_offset;
            const int8_t *x2 = x[4 * row + 2] + x_offset, *x3 = x[4 * row + 3] + x_offset;
            int8x16_t x0v = fz_neon_load_quads(x0, 2), x1v = fz_neon_load_quads(x1, 2);
            int8x16_t x2v = fz_neon_load_quads(x2, 2), x3v = fz_neon_load_quads(x3, 2);
            FZ_SDOT_QUAD(0) FZ_SDOT_QUAD(1)
            wq += 64;
        }
        rows = 0;
    }
    for (intptr_t row = 0; row < rows; row++) {
        const int8_t *x0 = x[4 * row] + x_offset, *x1 = x[4 * row + 1] + x_offset;
        const int8_t *x2 = x[4 * row + 2] + x_offset, *x3 = x[4 * row + 3] + x_offset;
        for (const int8_t *end = x0 + 4 * (quads - tail); x0 != end;) {
            int8x16_t x0v = vld1q_s8(x0), x1v = vld1q_s8(x1), x2v = vld1q_s8(x2), x3v = vld1q_s8(x3);
            FZ_ADVANCE(x0, 16); FZ_ADVANCE(x1, 16); FZ_ADVANCE(x2, 16); FZ_ADVANCE(x3, 16);
            FZ_SDOT_QUAD(0) FZ_SDOT_QUAD(1) FZ_SDOT_QUAD(2) FZ_SDOT_QUAD(3)
        }
        if (tail) {
            int8x16_t x0v = fz_neon_load_quads(x0, tail), x1v = fz_neon_load_quads(x1, tail);
            int8x16_t x2v = fz_neon_load_quads(x2, tail), x3v = fz_neon_load_quads(x3, tail);
            FZ_SDOT_QUAD(0)
            if (tail >= 2) FZ_SDOT_QUAD(1)
            if (tail == 3) FZ_SDOT_QUAD(2)
        }
    }
    if (r && r->max_pool) {
        a00 = vmaxq_s32(vmaxq_s32(a00, a10), vmaxq_s32(a20, a30)); a01 = vmaxq_s32(vmaxq_s32(a01, a11), vmaxq_s32(a21, a31));
        a02 = vmaxq_s32(vmaxq_s32(a02, a12), vmaxq_s32(a22, a32)); a03 = vmaxq_s32(vmaxq_s32(a03, a13), vmaxq_s32(a23, a33));
        FZ_SDOT_STORE(0);
        return;
    }
    FZ_SDOT_STORE(0); FZ_SDOT_STORE(1); FZ_SDOT_STORE(2); FZ_SDOT_STORE(3);
}
#undef FZ_SDOT_PIXEL
#undef FZ_SDOT_QUAD
#undef FZ_SDOT_STORE

/* The ARMv8.2 dot-product quad tile (fz_conv_tile_fn, the row pointers x[i] + offset; int8
 * signed by signed, so no XOR and the bias folds zero point * sum(w)); the blocks of 16 channels
 * go one after the other. Inlined into both callers below. */
FZ_DOTPROD __attribute__((always_inline))
static inline void fz_neon_sdot_tile_body(
    const int8_t *w, intptr_t group_stride, intptr_t groups, const int8_t *const *x, intptr_t offset, intptr_t rows,
    intptr_t quads, const int32_t *bias, const fz_requantization *r, int8_t *out, intptr_t pixel_stride,
    intptr_t pixels, intptr_t channels, int32_t *acc, const int8x16x4_t *combined) {
    for (intptr_t g = 0; g < groups; g++) {
        fz_neon_sdot_block(w + g * group_stride, x, offset, rows, quads, bias + 16 * g, r, (int)(16 * g), out + 16 * g,
                           pixel_stride, pixels, channels - 16 * g, acc + 16 * g, combined);
    }
}

/* fz_conv_tile_fn with the dot product (called from Swift for tiles outside runs): one tile of
 * fz_neon_sdot_tile_body. */
FZ_DOTPROD static inline fz_conv_tile_fn fz_neon_sdot_conv_tile;
FZ_DOTPROD __attribute__((noinline))
static inline void fz_neon_sdot_conv_tile(
    const int8_t *w, intptr_t group_stride, intptr_t groups, const int8_t *const *x, intptr_t rows,
    intptr_t quads, const int32_t *bias, const fz_requantization *r, int8_t *out, intptr_t pixel_stride,
    intptr_t pixels, intptr_t channels, int32_t *acc) {
#define FZ_SDOT_TILE(rows_, quads_, groups_) \
    fz_neon_sdot_tile_body(w, group_stride, groups_, x, 0, rows_, quads_, bias, r, out, pixel_stride, pixels, channels, acc, 0)
    FZ_NEON_SHAPES(FZ_NEON_ONCE, FZ_SDOT_TILE);
#undef FZ_SDOT_TILE
}

/* fz_conv_run_fn with the dot product: the tiles one after the other (FZ_RUN), the tile
 * inlined, the run not inlined into the Swift caller, so a tile costs no call, prologue and
 * epilogue (about 60 instructions a tile). */
FZ_DOTPROD static inline fz_conv_run_fn fz_neon_sdot_conv_run;
FZ_DOTPROD __attribute__((noinline))
static inline void fz_neon_sdot_conv_run(
    const int8_t *w, intptr_t group_stride, intptr_t groups, const int8_t *const *x, intptr_t rows,
    intptr_t quads, const int32_t *bias, const fz_requantization *r, int8_t *out, intptr_t pixel_stride,
    intptr_t channels, intptr_t tiles, intptr_t x_step, const int8_t *fixed) {
    if (rows == 3 && quads == 3 && groups == 1 && fz_neon_sdot_combinable(w)) {
        const int8x16x4_t combined = fz_neon_sdot_combine(w);
        FZ_RUN(fz_neon_sdot_tile_body(w, group_stride, 1, xt, offset, 3, 3, bias, r, tile_out, pixel_stride, 4, channels, 0,
                                      &combined));
        return;
    }
#define FZ_SDOT_TILE(rows_, quads_, groups_) \
    fz_neon_sdot_tile_body(w, group_stride, groups_, xt, offset, rows_, quads_, bias, r, tile_out, pixel_stride, 4, channels, 0, 0)
    FZ_NEON_SHAPES(FZ_RUN, FZ_SDOT_TILE);
#undef FZ_SDOT_TILE
}

#undef FZ_DOTPROD

#endif /* FZ_NEON_SDOT_H */

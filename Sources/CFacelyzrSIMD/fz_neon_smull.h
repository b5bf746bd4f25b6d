/*
 * aarch64 ARMv8.0 (cortex-a72, Pi 4): the quad tiles and runs of conv2D with smull/smlal pairs
 * and sadalp, one pixel at a time. Include facelyzr_simd.h, not this file; see
 * docs/kernels.md.
 */
#ifndef FZ_NEON_SMULL_H
#define FZ_NEON_SMULL_H

#include "fz_neon_common.h"

/* ARMv8.0 form of the quad tiles (cortex-a72, Pi 4; fz_conv_tile_fn): one pixel at a time (16 accumulators would spill with two), quads in
 * pairs: smull + smlal (low halves) and smull2 + smlal2 (high halves) put the products of two
 * quads for the same channel and tap position into one int16 lane (|w| <= 127 keeps the sum in
 * range, docs/quantization.md), sadalp adds lane pairs into int32. Each of the 8 accumulators
 * then holds 2 channels x 2 partial sums; addp at the end gives 4 channels per vector. */
#define FZ_SMULL_PAIR(k) \
    a##k##0 = vpadalq_s16(a##k##0, vmlal_s8(vmull_s8(vget_low_s8(w0.val[k]), vget_low_s8(x0)), vget_low_s8(w1.val[k]), vget_low_s8(x1))); \
    a##k##1 = vpadalq_s16(a##k##1, vmlal_high_s8(vmull_high_s8(w0.val[k], x0), w1.val[k], x1));
/* Two quads at xp times 16 channels of weights at wp, both pointers advanced. Each advance
 * goes through an empty asm (FZ_ADVANCE), so clang folds it into the load (post-index) instead
 * of addressing from separate base registers, and the step's last one also takes the
 * accumulators, so the next step's weights are not loaded early and spilled: 58 instructions
 * per 4 quads instead of 67. */
#define FZ_SMULL_STEP(xp, wp) { \
        int8x16_t x0 = fz_neon_quad(xp); FZ_ADVANCE(xp, 4); \
        int8x16_t x1 = fz_neon_quad(xp); FZ_ADVANCE(xp, 4); \
        int8x16x4_t w0 = vld1q_s8_x4(wp); FZ_ADVANCE(wp, 64); \
        int8x16x4_t w1 = vld1q_s8_x4(wp); \
        FZ_SMULL_PAIR(0) FZ_SMULL_PAIR(1) FZ_SMULL_PAIR(2) FZ_SMULL_PAIR(3) \
        (wp) += 64; \
        __asm__("" : "+r"(wp), "+w"(a00), "+w"(a01), "+w"(a10), "+w"(a11), "+w"(a20), "+w"(a21), "+w"(a30), "+w"(a31)); \
    }
#define FZ_SMULL_SINGLE(k) \
    a##k##0 = vpadalq_s16(a##k##0, vmull_s8(vget_low_s8(w0.val[k]), vget_low_s8(x0))); \
    a##k##1 = vpadalq_s16(a##k##1, vmull_high_s8(w0.val[k], x0));

/* The 16 accumulators (bias included) of pixel `pixel` of the tile x 16 channels (the block at
 * `w`, row pointers x[i] + offset), 4 channels per vector. */
__attribute__((always_inline))
static inline int32x4x4_t fz_neon_smull_pixel(
    const int8_t *w, const int8_t *const *x, intptr_t offset, int pixel, intptr_t rows, intptr_t quads, const int32_t *bias) {
    const int32x4_t zero = vdupq_n_s32(0);
    int32x4_t a00 = zero, a01 = zero, a10 = zero, a11 = zero, a20 = zero, a21 = zero, a30 = zero, a31 = zero;
    const int8_t *wq = w;
    for (intptr_t row = 0; row < rows; row++) {
        const int8_t *xr = x[4 * row + pixel] + offset;
        /* Two pairs a step: the loop's pointer and counter updates were 7 of 35 instructions. */
        for (const int8_t *end = xr + 4 * (quads & ~(intptr_t)3); xr != end;) {
            FZ_SMULL_STEP(xr, wq)
            FZ_SMULL_STEP(xr, wq)
        }
        if (quads & 2) FZ_SMULL_STEP(xr, wq)
        if (quads & 1) {
            int8x16_t x0 = fz_neon_quad(xr);
            int8x16x4_t w0 = vld1q_s8_x4(wq);
            wq += 64;
            FZ_SMULL_SINGLE(0) FZ_SMULL_SINGLE(1) FZ_SMULL_SINGLE(2) FZ_SMULL_SINGLE(3)
        }
    }
    int32x4x4_t sums = {{vaddq_s32(vld1q_s32(bias), vpaddq_s32(a00, a01)), vaddq_s32(vld1q_s32(bias + 4), vpaddq_s32(a10, a11)),
                         vaddq_s32(vld1q_s32(bias + 8), vpaddq_s32(a20, a21)), vaddq_s32(vld1q_s32(bias + 12), vpaddq_s32(a30, a31))}};
    return sums;
}
#undef FZ_SMULL_PAIR
#undef FZ_SMULL_STEP
#undef FZ_SMULL_SINGLE

/* The quad tile on ARMv8.0: blocks of 16 channels one after the other, then pixels (with
 * r->max_pool the running maximum of the 4, stored as one pixel); the row pointers are
 * x[i] + offset. Inlined into both callers below. */
__attribute__((always_inline))
static inline void fz_neon_smull_tile_body(
    const int8_t *w, intptr_t group_stride, intptr_t groups, const int8_t *const *x, intptr_t offset, intptr_t rows,
    intptr_t quads, const int32_t *bias, const fz_requantization *r, int8_t *out, intptr_t pixel_stride,
    intptr_t pixels, intptr_t channels, int32_t *acc) {
    for (intptr_t g = 0; g < groups; g++) {
        const int8_t *wg = w + g * group_stride;
        const int32_t *bg = bias + 16 * g;
        if (r && r->max_pool) {
            int32x4x4_t m = fz_neon_smull_pixel(wg, x, offset, 0, rows, quads, bg);
            for (int pixel = 1; pixel < 4; pixel++) {
                int32x4x4_t s = fz_neon_smull_pixel(wg, x, offset, pixel, rows, quads, bg);
                m.val[0] = vmaxq_s32(m.val[0], s.val[0]); m.val[1] = vmaxq_s32(m.val[1], s.val[1]);
                m.val[2] = vmaxq_s32(m.val[2], s.val[2]); m.val[3] = vmaxq_s32(m.val[3], s.val[3]);
            }
            fz_neon_store_16(m.val[0], m.val[1], m.val[2], m.val[3], r, (int)(16 * g), out + 16 * g, channels - 16 * g, 0);
            continue;
        }
        for (int pixel = 0; pixel < pixels; pixel++) {
            int32x4x4_t s = fz_neon_smull_pixel(wg, x, offset, pixel, rows, quads, bg);
            fz_neon_store_16(s.val[0], s.val[1], s.val[2], s.val[3], r, (int)(16 * g), out + pixel * pixel_stride + 16 * g,
                             channels - 16 * g, acc + 64 * pixel + 16 * g);
        }
    }
}

/* fz_conv_tile_fn on ARMv8.0 (called from Swift for tiles outside runs): one tile of
 * fz_neon_smull_tile_body. */
static inline fz_conv_tile_fn fz_neon_smull_conv_tile;
__attribute__((noinline))
static inline void fz_neon_smull_conv_tile(
    const int8_t *w, intptr_t group_stride, intptr_t groups, const int8_t *const *x, intptr_t rows,
    intptr_t quads, const int32_t *bias, const fz_requantization *r, int8_t *out, intptr_t pixel_stride,
    intptr_t pixels, intptr_t channels, int32_t *acc) {
#define FZ_SMULL_TILE(rows_, quads_, groups_) \
    fz_neon_smull_tile_body(w, group_stride, groups_, x, 0, rows_, quads_, bias, r, out, pixel_stride, pixels, channels, acc)
    FZ_NEON_SHAPES(FZ_NEON_ONCE, FZ_SMULL_TILE);
#undef FZ_SMULL_TILE
}

/* fz_conv_run_fn on ARMv8.0: the tiles of fz_neon_smull_tile_body one after the other (FZ_RUN),
 * not inlined into the Swift caller. */
static inline fz_conv_run_fn fz_neon_smull_conv_run;
__attribute__((noinline))
static inline void fz_neon_smull_conv_run(
    const int8_t *w, intptr_t group_stride, intptr_t groups, const int8_t *const *x, intptr_t rows,
    intptr_t quads, const int32_t *bias, const fz_requantization *r, int8_t *out, intptr_t pixel_stride,
    intptr_t channels, intptr_t tiles, intptr_t x_step, const int8_t *fixed) {
#define FZ_SMULL_TILE(rows_, quads_, groups_) \
    fz_neon_smull_tile_body(w, group_stride, groups_, xt, offset, rows_, quads_, bias, r, tile_out, pixel_stride, 4, channels, 0)
    FZ_NEON_SHAPES(FZ_RUN, FZ_SMULL_TILE);
#undef FZ_SMULL_TILE
}

#endif /* FZ_NEON_SMULL_H */

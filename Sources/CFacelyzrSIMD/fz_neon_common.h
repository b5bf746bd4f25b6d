/*
 * aarch64 NEON, every build: the packed conv2D kernel over int8 rows (ops the quad tiles do not
 * take; smull/smlal2/sadalp, or sdot when built for the dot product), the NEON double- and single-rounding
 * requantisation and a quad tile pixel's store, and what both quad-tile forms (fz_neon_smull.h,
 * fz_neon_sdot.h) share: the 3x3 shapes they are compiled for, the broadcast quad, the
 * post-indexed pointer advance. Include facelyzr_simd.h, not this file; see docs/kernels.md.
 */
#ifndef FZ_NEON_COMMON_H
#define FZ_NEON_COMMON_H

#include "fz_common.h"
#include <arm_neon.h>

/* DO(TILE(rows, quads, groups)): DO is FZ_RUN or FZ_NEON_ONCE, TILE the tile body, also
 * compiled for the shapes of 3x3 convolutions with constants (so the compiler unrolls the
 * kernel rows and drops the tests for a row's last quads): 3 rows of 3 quads and one block of
 * 16 channels (3 input channels, the first convolution), and 3 rows of a multiple of 4 quads. */
#define FZ_NEON_ONCE(TILE_CALL) TILE_CALL
#define FZ_NEON_SHAPES(DO, TILE) do { \
        if (rows == 3 && quads == 3 && groups == 1) { \
            DO(TILE(3, 3, 1)); \
        } else if (rows == 3 && (quads & 3) == 0) { \
            __builtin_assume((quads & 3) == 0); \
            DO(TILE(3, quads, groups)); \
        } else { \
            DO(TILE(rows, quads, groups)); \
        } \
    } while (0)

/* p += n through an empty asm, so clang folds the advance into the load before it
 * (post-index) instead of addressing each load from a separate base register. */
#define FZ_ADVANCE(p, n) do { (p) += (n); __asm__("" : "+r"(p)); } while (0)

/* The 4 bytes at p in each 32-bit lane. The empty asm hides that the halves are equal, which
 * clang would otherwise use to turn each smull2 into ext + smull. */
static inline int8x16_t fz_neon_quad(const int8_t *p) {
    int8x16_t x = vreinterpretq_s8_s32(vdupq_n_s32(fz_load_i32(p)));
    __asm__("" : "+w"(x));
    return x;
}

/* 1 in builds for ARMv8.2 with the dot product (-mcpu=cortex-a76; fz_neon_sdot_conv_tile), else 0. */
static inline int fz_neon_has_dotprod(void) {
#if defined(__ARM_FEATURE_DOTPROD)
    return 1;
#else
    return 0;
#endif
}

/* Sums of 4 channels' int32x4 partials, pairwise, into one vector of 4 channels, added to acc. */
static inline void fz_neon_reduce_4(const int32x4_t *partial, int32_t *acc) {
    int32x4_t sums = vpaddq_s32(vpaddq_s32(partial[0], partial[1]), vpaddq_s32(partial[2], partial[3]));
    vst1q_s32(acc, vaddq_s32(vld1q_s32(acc), sums));
}

/* acc_a[c] += sum_k w[c * stride + k] * xa[k] over k < 16 * chunks, for 16 channels c, and the
 * same for xb into acc_b. `w` holds int8 rows of the receptive field, zero padded to `stride`
 * (a multiple of 16); each int32 lane accumulates a part of one channel's dot product and the
 * lanes are added pairwise at the end. ARMv8.2 dot product (cortex-a76, Pi 5): sdot, 16
 * products a step. ARMv8.0 (cortex-a72, Pi 4): smull + smlal2 add two int8 products per int16
 * lane (|w| <= 127 keeps them in range, docs/quantization.md), sadalp widens into int32.
 * Channels go in groups whose accumulators, weights and products fit the 32 vector registers
 * without moves (measured with tools/embedded/count-instructions.sh): 4 with smull/smlal2/sadalp,
 * 8 with sdot. */
#if defined(__ARM_FEATURE_DOTPROD)
#define FZ_NEON_GROUP 8
#else
#define FZ_NEON_GROUP 4
#endif
static inline void fz_neon_dot_16x2(
    const int8_t *w, intptr_t stride, const int8_t *xa, const int8_t *xb, intptr_t chunks,
    int32_t *acc_a, int32_t *acc_b) {
    for (int group = 0; group < 16 / FZ_NEON_GROUP; group++) {
        int32x4_t pa[FZ_NEON_GROUP], pb[FZ_NEON_GROUP];
        for (int c = 0; c < FZ_NEON_GROUP; c++) { pa[c] = vdupq_n_s32(0); pb[c] = vdupq_n_s32(0); }
        const int8_t *wg = w + FZ_NEON_GROUP * group * stride;
        for (intptr_t j = 0; j < chunks; j++) {
            int8x16_t va = vld1q_s8(xa + 16 * j), vb = vld1q_s8(xb + 16 * j);
            for (int c = 0; c < FZ_NEON_GROUP; c++) {
                int8x16_t wv = vld1q_s8(wg + c * stride + 16 * j);
#if defined(__ARM_FEATURE_DOTPROD)
                pa[c] = vdotq_s32(pa[c], wv, va);
                pb[c] = vdotq_s32(pb[c], wv, vb);
#else
                pa[c] = vpadalq_s16(pa[c], vmlal_high_s8(vmull_s8(vget_low_s8(wv), vget_low_s8(va)), wv, va));
                pb[c] = vpadalq_s16(pb[c], vmlal_high_s8(vmull_s8(vget_low_s8(wv), vget_low_s8(vb)), wv, vb));
#endif
            }
        }
        for (int q = 0; q < FZ_NEON_GROUP / 4; q++) {
            fz_neon_reduce_4(pa + 4 * q, acc_a + FZ_NEON_GROUP * group + 4 * q);
            fz_neon_reduce_4(pb + 4 * q, acc_b + FZ_NEON_GROUP * group + 4 * q);
        }
    }
}

/* Double-rounding requantisation of 16 accumulators (docs/quantization.md), with the output
 * stage of requantizeToInt8: gemmlowp's NEON forms, bit-exact with the scalar definitions:
 * sqshl is the saturating left shift, sqrdmulh is SaturatingRoundingDoublingHighMul (ties
 * toward +infinity), and the fixup before srshl (-1 where x < 0 and the channel shifts right)
 * makes RoundingDivideByPOT's ties go away from zero. gemmlowp adds the fixup with sqadd; here
 * ssra adds it (and + ssra instead of and + sshr + sqadd), which cannot wrap: sqrdmulh never
 * gives -2^31 (at least -2^31 + 1, from -2^31 x (2^31 - 1); -2^31 x -2^31 saturates to
 * 2^31 - 1). `left` = max(shift, 0),
 * `neg_right` = min(shift, 0), per channel. Here for 4 channels, up to the output stage. */
static inline int32x4_t fz_neon_requantize_4(
    int32x4_t x, const int32_t *multiplier, const int32_t *left, const int32_t *neg_right, int any_left_shift) {
    if (any_left_shift) x = vqshlq_s32(x, vld1q_s32(left));
    x = vqrdmulhq_s32(x, vld1q_s32(multiplier));
    int32x4_t shift = vld1q_s32(neg_right);
    return vrshlq_s32(vsraq_n_s32(x, vandq_s32(x, shift), 31), shift);
}

/* The output stage of requantizeToInt8 for 16 requantised values (4 channels a vector): it works
 * on 8 lanes of int16: narrowing with saturation, then adding the zero point with saturation,
 * then clamping to [output_min, output_max] gives requantizeToInt8's clamp to [-256, 255], add,
 * clamp, because the bounds lie in [-128, 127] and the zero point too (a value beyond
 * [-256, 255] ends beyond the bounds either way). */
static inline int8x16_t fz_neon_output_stage(
    int32x4_t q0, int32x4_t q1, int32x4_t q2, int32x4_t q3, int32_t zero_point, int32_t output_min, int32_t output_max) {
    const int16x8_t zp = vdupq_n_s16((int16_t)zero_point);
    const int16x8_t lo = vdupq_n_s16((int16_t)output_min), hi = vdupq_n_s16((int16_t)output_max);
    int16x8_t low = vcombine_s16(vqmovn_s32(q0), vqmovn_s32(q1));
    int16x8_t high = vcombine_s16(vqmovn_s32(q2), vqmovn_s32(q3));
    low = vminq_s16(vmaxq_s16(vqaddq_s16(low, zp), lo), hi);
    high = vminq_s16(vmaxq_s16(vqaddq_s16(high, zp), lo), hi);
    return vcombine_s8(vmovn_s16(low), vmovn_s16(high));
}

/* The 16 accumulators a0..a3 (4 channels each), straight-line (no arrays: the compiler keeps
 * them in registers); `any_left_shift` 0 skips the left shift (every channel's is 0); then
 * fz_neon_output_stage. */
static inline int8x16_t fz_neon_requantize_double(
    int32x4_t a0, int32x4_t a1, int32x4_t a2, int32x4_t a3, const int32_t *multiplier, const int32_t *left,
    const int32_t *neg_right, int any_left_shift, int32_t zero_point, int32_t output_min, int32_t output_max) {
    return fz_neon_output_stage(fz_neon_requantize_4(a0, multiplier, left, neg_right, any_left_shift),
                                fz_neon_requantize_4(a1, multiplier + 4, left + 4, neg_right + 4, any_left_shift),
                                fz_neon_requantize_4(a2, multiplier + 8, left + 8, neg_right + 8, any_left_shift),
                                fz_neon_requantize_4(a3, multiplier + 12, left + 12, neg_right + 12, any_left_shift),
                                zero_point, output_min, output_max);
}

/* fz_neon_requantize_double for 16 accumulators in memory, stored to `out`. */
static inline void fz_neon_requantize_double_16(
    const int32_t *acc, const int32_t *multiplier, const int32_t *left, const int32_t *neg_right,
    int32_t zero_point, int32_t output_min, int32_t output_max, int8_t *out) {
    vst1q_s8(out, fz_neon_requantize_double(
        vld1q_s32(acc), vld1q_s32(acc + 4), vld1q_s32(acc + 8), vld1q_s32(acc + 12),
        multiplier, left, neg_right, 1, zero_point, output_min, output_max));
}

/* Single-rounding requantisation of 4 accumulators (requantize's `.single`,
 * docs/quantization.md): (x * M + 2^(t - 1)) >> t in int64 with t = 31 - shift in [1, 62]
 * (shift = left + neg_right, one of them 0), saturated to int32. smull / smull2 give the exact
 * 64-bit products (|x * M| < 2^62, so adding 2^(t - 1) < 2^62 cannot wrap), srshl by -t is that
 * rounding shift (ties toward +infinity), sqxtn the saturation. */
static inline int32x4_t fz_neon_requantize_single_4(
    int32x4_t x, const int32_t *multiplier, const int32_t *left, const int32_t *neg_right) {
    const int32x4_t m = vld1q_s32(multiplier);
    /* -t = shift - 31, per channel, widened to the two 64-bit lanes of each half. */
    const int32x4_t neg_total = vsubq_s32(vaddq_s32(vld1q_s32(left), vld1q_s32(neg_right)), vdupq_n_s32(31));
    int64x2_t low = vrshlq_s64(vmull_s32(vget_low_s32(x), vget_low_s32(m)), vmovl_s32(vget_low_s32(neg_total)));
    int64x2_t high = vrshlq_s64(vmull_high_s32(x, m), vmovl_high_s32(neg_total));
    return vcombine_s32(vqmovn_s64(low), vqmovn_s64(high));
}

/* Single-rounding requantisation of 16 accumulators in memory with the output stage of
 * requantizeToInt8 (fz_neon_output_stage), stored to `out`: Fast.store for single-rounding
 * convolutions (the quad tiles' mode `tiles`, int8 rows). */
static inline void fz_neon_requantize_single_16(
    const int32_t *acc, const int32_t *multiplier, const int32_t *left, const int32_t *neg_right,
    int32_t zero_point, int32_t output_min, int32_t output_max, int8_t *out) {
    vst1q_s8(out, fz_neon_output_stage(
        fz_neon_requantize_single_4(vld1q_s32(acc), multiplier, left, neg_right),
        fz_neon_requantize_single_4(vld1q_s32(acc + 4), multiplier + 4, left + 4, neg_right + 4),
        fz_neon_requantize_single_4(vld1q_s32(acc + 8), multiplier + 8, left + 8, neg_right + 8),
        fz_neon_requantize_single_4(vld1q_s32(acc + 12), multiplier + 12, left + 12, neg_right + 12),
        zero_point, output_min, output_max));
}

/* One pixel's 16 accumulators of a quad tile (channels `offset`... of the tile, 4 per vector):
 * requantised into the first `channels` bytes of `out`, or, without `r`, stored to `acc`. */
static inline void fz_neon_store_16(
    int32x4_t a0, int32x4_t a1, int32x4_t a2, int32x4_t a3, const fz_requantization *r, int offset,
    int8_t *out, intptr_t channels, int32_t *acc) {
    if (!r) {
        vst1q_s32(acc, a0); vst1q_s32(acc + 4, a1); vst1q_s32(acc + 8, a2); vst1q_s32(acc + 12, a3);
        return;
    }
    int8x16_t bytes = fz_neon_requantize_double(a0, a1, a2, a3, r->multiplier + offset, r->left + offset,
                                                r->neg_right + offset, r->any_left_shift, r->zero_point, r->output_min,
                                                r->output_max);
    if (channels >= 16) {
        vst1q_s8(out, bytes);
    } else {
        int8_t partial[16];
        vst1q_s8(partial, bytes);
        for (intptr_t c = 0; c < channels; c++) out[c] = partial[c];
    }
}

/* One input's 4 lanes of an add: x (int16 lanes, already less the zero point, in [-255, 255])
 * widened, shifted left by 20 (below 2^28: no overflow), requantised with no left shift. */
static inline int32x4_t fz_neon_add_scale_4(int16x4_t x, const int32_t *multiplier, const int32_t *shift) {
    return fz_neon_requantize_4(vshlq_n_s32(vmovl_s16(x), 20), multiplier, shift, shift, 0);
}

/* An add (fz_add_fn), bit-exact with AddParameters.element: per block, each input's 16 bytes
 * widened to int16 less the zero point, each quarter scaled by fz_neon_add_scale_4 (sqrdmulh and
 * the rounding right shift of fz_neon_requantize_4; shifts are <= 0, so neg_right = shift), the
 * two summed (below 2^29), and the sums requantised with the output's multiplier and shift by
 * fz_neon_requantize_double, output stage included. */
static inline void fz_neon_add(const fz_add_parameters *p, const int8_t *a, const int8_t *b, int8_t *out, intptr_t blocks) {
    int32_t m1[4], s1[4], m2[4], s2[4], mo[16], so[16];
    for (int i = 0; i < 16; i++) {
        mo[i] = p->output_multiplier;
        so[i] = p->output_shift;
    }
    for (int i = 0; i < 4; i++) {
        m1[i] = p->multiplier1; s1[i] = p->shift1;
        m2[i] = p->multiplier2; s2[i] = p->shift2;
    }
    const int16x8_t zp1 = vdupq_n_s16((int16_t)p->zero_point1), zp2 = vdupq_n_s16((int16_t)p->zero_point2);
    for (intptr_t k = 0; k < blocks; k++) {
        int8x16_t va = vld1q_s8(a + 16 * k), vb = vld1q_s8(b + 16 * k);
        int16x8_t al = vsubq_s16(vmovl_s8(vget_low_s8(va)), zp1), ah = vsubq_s16(vmovl_high_s8(va), zp1);
        int16x8_t bl = vsubq_s16(vmovl_s8(vget_low_s8(vb)), zp2), bh = vsubq_s16(vmovl_high_s8(vb), zp2);
        int32x4_t s0 = vaddq_s32(fz_neon_add_scale_4(vget_low_s16(al), m1, s1), fz_neon_add_scale_4(vget_low_s16(bl), m2, s2));
        int32x4_t t1 = vaddq_s32(fz_neon_add_scale_4(vget_high_s16(al), m1, s1), fz_neon_add_scale_4(vget_high_s16(bl), m2, s2));
        int32x4_t t2 = vaddq_s32(fz_neon_add_scale_4(vget_low_s16(ah), m1, s1), fz_neon_add_scale_4(vget_low_s16(bh), m2, s2));
        int32x4_t t3 = vaddq_s32(fz_neon_add_scale_4(vget_high_s16(ah), m1, s1), fz_neon_add_scale_4(vget_high_s16(bh), m2, s2));
        vst1q_s8(out + 16 * k, fz_neon_requantize_double(s0, t1, t2, t3, mo, so, so, 0, p->output_zero_point,
                                                         p->output_min, p->output_max));
    }
}

#endif /* FZ_NEON_COMMON_H */

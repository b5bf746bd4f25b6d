/*
 * Header-only intrinsics for the packed conv2D kernel (Sources/FacelyzrRuntime/Kernels/Fast/
 * FastPackedConvolution.swift), part of the runtime: static inline, no library, no state.
 * Each function exists only on the ISA whose intrinsics it uses; the Swift kernel keeps its
 * portable loop for every other target, and every variant is bit-exact with Reference
 * (int32 products and sums wrap exactly as the portable loop's &+ and &*).
 */
#ifndef FACELYZR_SIMD_H
#define FACELYZR_SIMD_H

#include <stdint.h>

#if defined(__SSE2__)
#include <emmintrin.h>

/* acc_a[c] += sum_k w[k][c][0] * xa[2k] + w[k][c][1] * xa[2k+1] for 16 channels c, and the
 * same for xb into acc_b: two output pixels share every weight load. `w` is int16
 * [pairs][16][2]; pmaddwd forms each channel's pair sum in one step. */
static inline void fz_sse2_dot_pairs_16x2(
    const int16_t *w, const int8_t *xa, const int8_t *xb, intptr_t pairs, int32_t *acc_a, int32_t *acc_b) {
    __m128i a0 = _mm_loadu_si128((const __m128i *)acc_a), a1 = _mm_loadu_si128((const __m128i *)acc_a + 1);
    __m128i a2 = _mm_loadu_si128((const __m128i *)acc_a + 2), a3 = _mm_loadu_si128((const __m128i *)acc_a + 3);
    __m128i b0 = _mm_loadu_si128((const __m128i *)acc_b), b1 = _mm_loadu_si128((const __m128i *)acc_b + 1);
    __m128i b2 = _mm_loadu_si128((const __m128i *)acc_b + 2), b3 = _mm_loadu_si128((const __m128i *)acc_b + 3);
    for (intptr_t k = 0; k < pairs; k++) {
        const __m128i *wk = (const __m128i *)(w + 32 * k);
        __m128i xva = _mm_set1_epi32((int32_t)((uint32_t)(uint16_t)xa[2 * k] | ((uint32_t)(uint16_t)xa[2 * k + 1] << 16)));
        __m128i xvb = _mm_set1_epi32((int32_t)((uint32_t)(uint16_t)xb[2 * k] | ((uint32_t)(uint16_t)xb[2 * k + 1] << 16)));
        __m128i w0 = _mm_loadu_si128(wk), w1 = _mm_loadu_si128(wk + 1);
        __m128i w2 = _mm_loadu_si128(wk + 2), w3 = _mm_loadu_si128(wk + 3);
        a0 = _mm_add_epi32(a0, _mm_madd_epi16(w0, xva));
        a1 = _mm_add_epi32(a1, _mm_madd_epi16(w1, xva));
        a2 = _mm_add_epi32(a2, _mm_madd_epi16(w2, xva));
        a3 = _mm_add_epi32(a3, _mm_madd_epi16(w3, xva));
        b0 = _mm_add_epi32(b0, _mm_madd_epi16(w0, xvb));
        b1 = _mm_add_epi32(b1, _mm_madd_epi16(w1, xvb));
        b2 = _mm_add_epi32(b2, _mm_madd_epi16(w2, xvb));
        b3 = _mm_add_epi32(b3, _mm_madd_epi16(w3, xvb));
    }
    _mm_storeu_si128((__m128i *)acc_a, a0); _mm_storeu_si128((__m128i *)acc_a + 1, a1);
    _mm_storeu_si128((__m128i *)acc_a + 2, a2); _mm_storeu_si128((__m128i *)acc_a + 3, a3);
    _mm_storeu_si128((__m128i *)acc_b, b0); _mm_storeu_si128((__m128i *)acc_b + 1, b1);
    _mm_storeu_si128((__m128i *)acc_b + 2, b2); _mm_storeu_si128((__m128i *)acc_b + 3, b3);
}
#endif

#if defined(__aarch64__) && defined(__ARM_NEON)
#include <arm_neon.h>

/* The same contract as fz_sse2_dot_pairs_16x2, for aarch64: ld2 splits each pair's two int16
 * weights of 16 channels into two vectors, and smlal/smlal2 (int16 x int16 widening
 * multiply-accumulate into int32) add both products for both pixels. */
static inline void fz_neon_dot_pairs_16x2(
    const int16_t *w, const int8_t *xa, const int8_t *xb, intptr_t pairs, int32_t *acc_a, int32_t *acc_b) {
    int32x4_t a0 = vld1q_s32(acc_a), a1 = vld1q_s32(acc_a + 4), a2 = vld1q_s32(acc_a + 8), a3 = vld1q_s32(acc_a + 12);
    int32x4_t b0 = vld1q_s32(acc_b), b1 = vld1q_s32(acc_b + 4), b2 = vld1q_s32(acc_b + 8), b3 = vld1q_s32(acc_b + 12);
    for (intptr_t k = 0; k < pairs; k++) {
        int16x8x2_t lo = vld2q_s16(w + 32 * k);       /* channels 0-7: val[0] = w0, val[1] = w1 */
        int16x8x2_t hi = vld2q_s16(w + 32 * k + 16);  /* channels 8-15 */
        int16x4_t xa0 = vdup_n_s16(xa[2 * k]), xa1 = vdup_n_s16(xa[2 * k + 1]);
        int16x4_t xb0 = vdup_n_s16(xb[2 * k]), xb1 = vdup_n_s16(xb[2 * k + 1]);
        a0 = vmlal_s16(a0, vget_low_s16(lo.val[0]), xa0); a0 = vmlal_s16(a0, vget_low_s16(lo.val[1]), xa1);
        a1 = vmlal_s16(a1, vget_high_s16(lo.val[0]), xa0); a1 = vmlal_s16(a1, vget_high_s16(lo.val[1]), xa1);
        a2 = vmlal_s16(a2, vget_low_s16(hi.val[0]), xa0); a2 = vmlal_s16(a2, vget_low_s16(hi.val[1]), xa1);
        a3 = vmlal_s16(a3, vget_high_s16(hi.val[0]), xa0); a3 = vmlal_s16(a3, vget_high_s16(hi.val[1]), xa1);
        b0 = vmlal_s16(b0, vget_low_s16(lo.val[0]), xb0); b0 = vmlal_s16(b0, vget_low_s16(lo.val[1]), xb1);
        b1 = vmlal_s16(b1, vget_high_s16(lo.val[0]), xb0); b1 = vmlal_s16(b1, vget_high_s16(lo.val[1]), xb1);
        b2 = vmlal_s16(b2, vget_low_s16(hi.val[0]), xb0); b2 = vmlal_s16(b2, vget_low_s16(hi.val[1]), xb1);
        b3 = vmlal_s16(b3, vget_high_s16(hi.val[0]), xb0); b3 = vmlal_s16(b3, vget_high_s16(hi.val[1]), xb1);
    }
    vst1q_s32(acc_a, a0); vst1q_s32(acc_a + 4, a1); vst1q_s32(acc_a + 8, a2); vst1q_s32(acc_a + 12, a3);
    vst1q_s32(acc_b, b0); vst1q_s32(acc_b + 4, b1); vst1q_s32(acc_b + 8, b2); vst1q_s32(acc_b + 12, b3);
}

/* Double-rounding requantisation of 16 accumulators (docs/quantization.md), with the output
 * stage of requantizeToInt8: gemmlowp's NEON forms, bit-exact with the scalar definitions:
 * sqshl is the saturating left shift, sqrdmulh is SaturatingRoundingDoublingHighMul (ties
 * toward +infinity), and the and/shift/sqadd fixup before srshl makes RoundingDivideByPOT's
 * ties go away from zero. `left` = max(shift, 0), `neg_right` = min(shift, 0), per channel. */
static inline void fz_neon_requantize_double_16(
    const int32_t *acc, const int32_t *multiplier, const int32_t *left, const int32_t *neg_right,
    int32_t zero_point, int32_t output_min, int32_t output_max, int8_t *out) {
    int16x4_t narrowed[4];
    for (int i = 0; i < 4; i++) {
        int32x4_t x = vqshlq_s32(vld1q_s32(acc + 4 * i), vld1q_s32(left + 4 * i));
        x = vqrdmulhq_s32(x, vld1q_s32(multiplier + 4 * i));
        int32x4_t shift = vld1q_s32(neg_right + 4 * i);
        int32x4_t fixup = vshrq_n_s32(vandq_s32(x, shift), 31);
        x = vrshlq_s32(vqaddq_s32(x, fixup), shift);
        x = vminq_s32(vmaxq_s32(x, vdupq_n_s32(-256)), vdupq_n_s32(255));
        x = vaddq_s32(x, vdupq_n_s32(zero_point));
        x = vminq_s32(vmaxq_s32(x, vdupq_n_s32(output_min)), vdupq_n_s32(output_max));
        narrowed[i] = vmovn_s32(x);
    }
    int8x8_t low = vmovn_s16(vcombine_s16(narrowed[0], narrowed[1]));
    int8x8_t high = vmovn_s16(vcombine_s16(narrowed[2], narrowed[3]));
    vst1q_s8(out, vcombine_s8(low, high));
}
#endif

#endif /* FACELYZR_SIMD_H */

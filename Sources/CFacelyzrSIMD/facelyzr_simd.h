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

#include <cpuid.h>
#include <immintrin.h>

/* 1 when the CPU and the OS support AVX2 (cpuid leaf 7 EBX bit 5, OSXSAVE, YMM state enabled). */
static inline int fz_x86_has_avx2(void) {
    unsigned int eax, ebx, ecx, edx;
    if (!__get_cpuid(1, &eax, &ebx, &ecx, &edx) || !(ecx & (1u << 27))) return 0;
    unsigned int xcr0_low, xcr0_high;
    __asm__ volatile("xgetbv" : "=a"(xcr0_low), "=d"(xcr0_high) : "c"(0));
    if ((xcr0_low & 6u) != 6u) return 0;
    if (!__get_cpuid_count(7, 0, &eax, &ebx, &ecx, &edx)) return 0;
    return (ebx >> 5) & 1u;
}

/* fz_sse2_dot_pairs_16x2 with 256-bit vpmaddwd: 8 channels a step. Called only when
 * fz_x86_has_avx2() (the package builds for baseline x86-64). */
__attribute__((target("avx2")))
static inline void fz_avx2_dot_pairs_16x2(
    const int16_t *w, const int8_t *xa, const int8_t *xb, intptr_t pairs, int32_t *acc_a, int32_t *acc_b) {
    __m256i a0 = _mm256_loadu_si256((const __m256i *)acc_a), a1 = _mm256_loadu_si256((const __m256i *)acc_a + 1);
    __m256i b0 = _mm256_loadu_si256((const __m256i *)acc_b), b1 = _mm256_loadu_si256((const __m256i *)acc_b + 1);
    for (intptr_t k = 0; k < pairs; k++) {
        const __m256i *wk = (const __m256i *)(w + 32 * k);
        __m256i xva = _mm256_set1_epi32((int32_t)((uint32_t)(uint16_t)xa[2 * k] | ((uint32_t)(uint16_t)xa[2 * k + 1] << 16)));
        __m256i xvb = _mm256_set1_epi32((int32_t)((uint32_t)(uint16_t)xb[2 * k] | ((uint32_t)(uint16_t)xb[2 * k + 1] << 16)));
        __m256i w0 = _mm256_loadu_si256(wk), w1 = _mm256_loadu_si256(wk + 1);
        a0 = _mm256_add_epi32(a0, _mm256_madd_epi16(w0, xva));
        a1 = _mm256_add_epi32(a1, _mm256_madd_epi16(w1, xva));
        b0 = _mm256_add_epi32(b0, _mm256_madd_epi16(w0, xvb));
        b1 = _mm256_add_epi32(b1, _mm256_madd_epi16(w1, xvb));
    }
    _mm256_storeu_si256((__m256i *)acc_a, a0); _mm256_storeu_si256((__m256i *)acc_a + 1, a1);
    _mm256_storeu_si256((__m256i *)acc_b, b0); _mm256_storeu_si256((__m256i *)acc_b + 1, b1);
}

/* Double-rounding requantisation of 16 accumulators with requantizeToInt8's output stage
 * (docs/quantization.md), AVX2, bit-exact with the scalar definitions: the saturating left
 * shift and SaturatingRoundingDoublingHighMul in 64-bit lanes (vpmuldq; the nudge, then
 * division by 2^31 truncating toward zero), RoundingDivideByPOT in 32-bit lanes. Arguments as
 * fz_neon_requantize_double_16. */
__attribute__((target("avx2")))
static inline void fz_avx2_requantize_double_16(
    const int32_t *acc, const int32_t *multiplier, const int32_t *left, const int32_t *neg_right,
    int32_t zero_point, int32_t output_min, int32_t output_max, int8_t *out) {
    __m128i results[4];
    const __m256i zero = _mm256_setzero_si256();
    const __m256i int32_max = _mm256_set1_epi64x(INT32_MAX), int32_min = _mm256_set1_epi64x(INT32_MIN);
    const __m256i positive_nudge = _mm256_set1_epi64x(1ll << 30), negative_nudge = _mm256_set1_epi64x(1 - (1ll << 30));
    const __m256i truncation = _mm256_set1_epi64x((1ll << 31) - 1);
    const __m256i low_halves = _mm256_setr_epi32(0, 2, 4, 6, 0, 0, 0, 0);
    const __m128i one = _mm_set1_epi32(1);
    for (int g = 0; g < 4; g++) {
        __m256i x = _mm256_cvtepi32_epi64(_mm_loadu_si128((const __m128i *)(acc + 4 * g)));
        x = _mm256_sllv_epi64(x, _mm256_cvtepi32_epi64(_mm_loadu_si128((const __m128i *)(left + 4 * g))));
        x = _mm256_blendv_epi8(x, int32_max, _mm256_cmpgt_epi64(x, int32_max));
        x = _mm256_blendv_epi8(x, int32_min, _mm256_cmpgt_epi64(int32_min, x));
        __m256i m = _mm256_cvtepi32_epi64(_mm_loadu_si128((const __m128i *)(multiplier + 4 * g)));
        __m256i product = _mm256_mul_epi32(x, m);
        product = _mm256_add_epi64(product,
            _mm256_blendv_epi8(positive_nudge, negative_nudge, _mm256_cmpgt_epi64(zero, product)));
        product = _mm256_add_epi64(product, _mm256_and_si256(_mm256_cmpgt_epi64(zero, product), truncation));
        __m128i y = _mm256_castsi256_si128(_mm256_permutevar8x32_epi32(_mm256_srli_epi64(product, 31), low_halves));
        __m128i right = _mm_sub_epi32(_mm_setzero_si128(), _mm_loadu_si128((const __m128i *)(neg_right + 4 * g)));
        __m128i mask = _mm_sub_epi32(_mm_sllv_epi32(one, right), one);
        __m128i remainder = _mm_and_si128(y, mask);
        __m128i threshold = _mm_sub_epi32(_mm_srli_epi32(mask, 1), _mm_cmpgt_epi32(_mm_setzero_si128(), y));
        __m128i r = _mm_sub_epi32(_mm_srav_epi32(y, right), _mm_cmpgt_epi32(remainder, threshold));
        r = _mm_min_epi32(_mm_max_epi32(r, _mm_set1_epi32(-256)), _mm_set1_epi32(255));
        r = _mm_add_epi32(r, _mm_set1_epi32(zero_point));
        results[g] = _mm_min_epi32(_mm_max_epi32(r, _mm_set1_epi32(output_min)), _mm_set1_epi32(output_max));
    }
    __m128i bytes = _mm_packs_epi16(_mm_packs_epi32(results[0], results[1]), _mm_packs_epi32(results[2], results[3]));
    _mm_storeu_si128((__m128i *)out, bytes);
}
#endif

#if defined(__aarch64__) && defined(__ARM_NEON)
#include <arm_neon.h>

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

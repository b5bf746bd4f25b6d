/*
 * x86-64 baseline: which kernel the CPU runs (cpuid, once per process), and the packed conv2D
 * kernel over int16 pairs [block][pair][16][2] with pmaddwd, in SSE2 (the build's baseline)
 * and AVX2, plus the AVX2 double-rounding requantisation of 16 channels. Include
 * facelyzr_simd.h, not this file; see docs/kernels.md.
 */
#ifndef FZ_X86_SSE2_AVX2_H
#define FZ_X86_SSE2_AVX2_H

#include "fz_common.h"
#include <cpuid.h>
#include <emmintrin.h>
#include <immintrin.h>

/* The x86-64 conv2D kernel the CPU and the OS support: 0 SSE2 (the baseline), 1 AVX2 (cpuid
 * leaf 7 EBX bit 5, OSXSAVE, XCR0 YMM state), 2 AVX-512 VNNI (also leaf 7 EBX bits 16, 30, 31:
 * F, BW, VL; ECX bit 11: VNNI; XCR0 opmask and ZMM state). Valgrind reports no AVX-512, so
 * callgrind counts the AVX2 kernel. */
static inline int fz_x86_detect_kernel(void) {
    unsigned int eax, ebx, ecx, edx;
    if (!__get_cpuid(1, &eax, &ebx, &ecx, &edx) || !(ecx & (1u << 27))) return 0;
    unsigned int xcr0_low, xcr0_high;
    __asm__ volatile("xgetbv" : "=a"(xcr0_low), "=d"(xcr0_high) : "c"(0));
    if ((xcr0_low & 6u) != 6u) return 0;
    if (!__get_cpuid_count(7, 0, &eax, &ebx, &ecx, &edx) || !((ebx >> 5) & 1u)) return 0;
    const unsigned int avx512 = (1u << 16) | (1u << 30) | (1u << 31);
    if ((ebx & avx512) == avx512 && (ecx & (1u << 11)) && (xcr0_low & 0xe0u) == 0xe0u) return 2;
    return 1;
}

/* *cache, or detect() stored there when it is still -1: each detection runs once per process
 * (cpuid traps to the hypervisor on virtual machines); a race only repeats it. */
static inline int fz_x86_cached(int *cache, int (*detect)(void)) {
    int value = __atomic_load_n(cache, __ATOMIC_RELAXED);
    if (value < 0) {
        value = detect();
        __atomic_store_n(cache, value, __ATOMIC_RELAXED);
    }
    return value;
}

/* fz_x86_detect_kernel, cached. */
static inline int fz_x86_kernel(void) {
    static int cached = -1;
    return fz_x86_cached(&cached, fz_x86_detect_kernel);
}

/* 1 if fz_x86_kernel() == 2 and the CPU also has AVX-512 VBMI (cpuid leaf 7 ECX bit 1;
 * vpermt2b), for the pixel lanes (fz_avx512vnni_lanes_conv). */
static inline int fz_x86_detect_avx512vbmi(void) {
    unsigned int eax, ebx, ecx, edx;
    return fz_x86_kernel() == 2 && __get_cpuid_count(7, 0, &eax, &ebx, &ecx, &edx) && ((ecx >> 1) & 1u);
}

/* fz_x86_detect_avx512vbmi, cached. */
static inline int fz_x86_has_avx512vbmi(void) {
    static int cached = -1;
    return fz_x86_cached(&cached, fz_x86_detect_avx512vbmi);
}

/* xp[0] and xp[1] as int16, in the low and high halves of one int32: pmaddwd's operand. */
static inline int32_t fz_pair(const int8_t *xp) {
    return (int32_t)((uint32_t)(uint16_t)xp[0] | ((uint32_t)(uint16_t)xp[1] << 16));
}

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
        __m128i xva = _mm_set1_epi32(fz_pair(xa + 2 * k)), xvb = _mm_set1_epi32(fz_pair(xb + 2 * k));
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

/* fz_sse2_dot_pairs_16x2 with 256-bit vpmaddwd: 8 channels a step. Called only when
 * fz_x86_kernel() >= 1 (the package builds for baseline x86-64). */
__attribute__((target("avx2")))
static inline void fz_avx2_dot_pairs_16x2(
    const int16_t *w, const int8_t *xa, const int8_t *xb, intptr_t pairs, int32_t *acc_a, int32_t *acc_b) {
    __m256i a0 = _mm256_loadu_si256((const __m256i *)acc_a), a1 = _mm256_loadu_si256((const __m256i *)acc_a + 1);
    __m256i b0 = _mm256_loadu_si256((const __m256i *)acc_b), b1 = _mm256_loadu_si256((const __m256i *)acc_b + 1);
    for (intptr_t k = 0; k < pairs; k++) {
        const __m256i *wk = (const __m256i *)(w + 32 * k);
        __m256i xva = _mm256_set1_epi32(fz_pair(xa + 2 * k)), xvb = _mm256_set1_epi32(fz_pair(xb + 2 * k));
        __m256i w0 = _mm256_loadu_si256(wk), w1 = _mm256_loadu_si256(wk + 1);
        a0 = _mm256_add_epi32(a0, _mm256_madd_epi16(w0, xva));
        a1 = _mm256_add_epi32(a1, _mm256_madd_epi16(w1, xva));
        b0 = _mm256_add_epi32(b0, _mm256_madd_epi16(w0, xvb));
        b1 = _mm256_add_epi32(b1, _mm256_madd_epi16(w1, xvb));
    }
    _mm256_storeu_si256((__m256i *)acc_a, a0); _mm256_storeu_si256((__m256i *)acc_a + 1, a1);
    _mm256_storeu_si256((__m256i *)acc_b, b0); _mm256_storeu_si256((__m256i *)acc_b + 1, b1);
}

/* SaturatingRoundingDoublingHighMul(x, m) = (x * m + nudge) / 2^31 truncating toward zero,
 * nudge 2^30 for a product >= 0 and 1 - 2^30 otherwise, is floor((x * m + 2^30) / 2^31) for
 * every product (for a negative sum s = p + 1 - 2^30, truncation is floor((s + 2^31 - 1) / 2^31)),
 * except INT32_MIN * INT32_MIN, which cannot occur: multipliers are >= 0 (validated). So the
 * x86-64 vector forms (here and fz_avx512_requantize_double) add 2^30 to the 64-bit product
 * and take bits 31..62: no sign masks, blends or truncation fix-up. */

/* Double-rounding requantisation (docs/quantization.md) of 4 accumulators, AVX2, bit-exact
 * with the scalar definitions, up to the output stage: the saturating left shift and
 * SaturatingRoundingDoublingHighMul in 64-bit lanes (vpmuldq, the floor form above),
 * RoundingDivideByPOT in 32-bit lanes. */
__attribute__((target("avx2")))
static inline __m128i fz_avx2_requantize_4(
    const int32_t *acc, const int32_t *multiplier, const int32_t *left, const int32_t *neg_right) {
    const __m256i int32_max = _mm256_set1_epi64x(INT32_MAX), int32_min = _mm256_set1_epi64x(INT32_MIN);
    const __m128i one = _mm_set1_epi32(1);
    __m256i x = _mm256_cvtepi32_epi64(_mm_loadu_si128((const __m128i *)acc));
    x = _mm256_sllv_epi64(x, _mm256_cvtepi32_epi64(_mm_loadu_si128((const __m128i *)left)));
    x = _mm256_blendv_epi8(x, int32_max, _mm256_cmpgt_epi64(x, int32_max));
    x = _mm256_blendv_epi8(x, int32_min, _mm256_cmpgt_epi64(int32_min, x));
    __m256i m = _mm256_cvtepi32_epi64(_mm_loadu_si128((const __m128i *)multiplier));
    __m256i product = _mm256_add_epi64(_mm256_mul_epi32(x, m), _mm256_set1_epi64x(1ll << 30));
    __m128i y = _mm256_castsi256_si128(
        _mm256_permutevar8x32_epi32(_mm256_srli_epi64(product, 31), _mm256_setr_epi32(0, 2, 4, 6, 0, 0, 0, 0)));
    __m128i right = _mm_sub_epi32(_mm_setzero_si128(), _mm_loadu_si128((const __m128i *)neg_right));
    __m128i mask = _mm_sub_epi32(_mm_sllv_epi32(one, right), one);
    __m128i remainder = _mm_and_si128(y, mask);
    __m128i threshold = _mm_sub_epi32(_mm_srli_epi32(mask, 1), _mm_cmpgt_epi32(_mm_setzero_si128(), y));
    return _mm_sub_epi32(_mm_srav_epi32(y, right), _mm_cmpgt_epi32(remainder, threshold));
}

/* The 16 channels in four calls of fz_avx2_requantize_4 (straight-line: clang, as Swift invokes
 * it, left a loop over an array of vectors in memory), then the output stage on int16 lanes
 * (packs: saturating narrow; saturating add of the zero point; one clamp), equal to
 * requantizeToInt8's clamp, add, clamp because the bounds and the zero point are int8. */
__attribute__((target("avx2")))
static inline void fz_avx2_requantize_double_16(
    const int32_t *acc, const int32_t *multiplier, const int32_t *left, const int32_t *neg_right,
    int32_t zero_point, int32_t output_min, int32_t output_max, int8_t *out) {
    __m128i low = _mm_packs_epi32(fz_avx2_requantize_4(acc, multiplier, left, neg_right),
                                  fz_avx2_requantize_4(acc + 4, multiplier + 4, left + 4, neg_right + 4));
    __m128i high = _mm_packs_epi32(fz_avx2_requantize_4(acc + 8, multiplier + 8, left + 8, neg_right + 8),
                                   fz_avx2_requantize_4(acc + 12, multiplier + 12, left + 12, neg_right + 12));
    const __m128i zp = _mm_set1_epi16((int16_t)zero_point);
    const __m128i lo = _mm_set1_epi16((int16_t)output_min), hi = _mm_set1_epi16((int16_t)output_max);
    low = _mm_min_epi16(_mm_max_epi16(_mm_adds_epi16(low, zp), lo), hi);
    high = _mm_min_epi16(_mm_max_epi16(_mm_adds_epi16(high, zp), lo), hi);
    _mm_storeu_si128((__m128i *)out, _mm_packs_epi16(low, high));
}

/* An add (fz_add_fn), bit-exact with AddParameters.element: per block, each input's 16 bytes
 * widened to int32, less the zero point, shifted left by 20 (below 2^28 in magnitude: no
 * overflow), scaled by fz_avx2_requantize_4 with no left shift (shifts are <= 0, so
 * neg_right = shift), the two summed (below 2^29), and the sums requantised with the output's
 * multiplier and shift by fz_avx2_requantize_double_16, output stage included. */
__attribute__((target("avx2")))
static inline void fz_avx2_add(const fz_add_parameters *p, const int8_t *a, const int8_t *b, int8_t *out, intptr_t blocks) {
    int32_t zeros[16], m1[4], s1[4], m2[4], s2[4], mo[16], so[16];
    for (int i = 0; i < 16; i++) {
        zeros[i] = 0;
        mo[i] = p->output_multiplier;
        so[i] = p->output_shift;
    }
    for (int i = 0; i < 4; i++) {
        m1[i] = p->multiplier1; s1[i] = p->shift1;
        m2[i] = p->multiplier2; s2[i] = p->shift2;
    }
    const __m256i zp1 = _mm256_set1_epi32(p->zero_point1), zp2 = _mm256_set1_epi32(p->zero_point2);
    for (intptr_t k = 0; k < blocks; k++) {
        int32_t xa[16], xb[16], sum[16];
        for (int h = 0; h < 2; h++) {
            __m256i va = _mm256_cvtepi8_epi32(_mm_loadl_epi64((const __m128i *)(a + 16 * k + 8 * h)));
            __m256i vb = _mm256_cvtepi8_epi32(_mm_loadl_epi64((const __m128i *)(b + 16 * k + 8 * h)));
            _mm256_storeu_si256((__m256i *)(xa + 8 * h), _mm256_slli_epi32(_mm256_sub_epi32(va, zp1), 20));
            _mm256_storeu_si256((__m256i *)(xb + 8 * h), _mm256_slli_epi32(_mm256_sub_epi32(vb, zp2), 20));
        }
        for (int q = 0; q < 4; q++) {
            __m128i s = _mm_add_epi32(fz_avx2_requantize_4(xa + 4 * q, m1, zeros, s1),
                                      fz_avx2_requantize_4(xb + 4 * q, m2, zeros, s2));
            _mm_storeu_si128((__m128i *)(sum + 4 * q), s);
        }
        fz_avx2_requantize_double_16(sum, mo, zeros, so, p->output_zero_point, p->output_min, p->output_max,
                                     out + 16 * k);
    }
}

#endif /* FZ_X86_SSE2_AVX2_H */

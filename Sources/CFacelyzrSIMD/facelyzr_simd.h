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

#endif /* FACELYZR_SIMD_H */

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

/* Per-channel double-rounding requantisation of a conv2D tile (fz_avx512vnni_conv_tile,
 * fz_neon_sdot_conv_tile): the packed buffer's multipliers, left shifts and
 * right shifts as min(shift, 0) at the tile's first channel, and the output stage of requantizeToInt8. */
typedef struct {
    const int32_t *multiplier, *left, *neg_right;
    int32_t zero_point, output_min, output_max;
    int32_t any_left_shift; /* 0 when every channel of the op has left = 0: the shift is skipped */
    /* 1: a tile's 4 pixels are the 2x2 window of a max pool (stride 2) after the convolution,
     * and the tile writes that one pooled pixel: the maximum of the 4 accumulators,
     * requantised. Requantisation is non-decreasing (multipliers >= 0), so this equals pooling
     * the 4 requantised values (docs/quantization.md, "Fused max pool"). Runs then advance their
     * output by 1 pixel per tile instead of 4. */
    int32_t max_pool;
} fz_requantization;

/* Kernel rows a quad tile takes at most (Fast.quadMaximumRows). */
#define FZ_QUAD_MAXIMUM_ROWS 32

/* Body of the x86-64 runs of 3 or 4 blocks (fz_avx512vnni_conv_run; aarch64 has its own,
 * FZ_NEON_RUN): `tiles` full tiles along an output row, double rounding. The first
 * tile's row pointers are x; each next tile's advance by x_step bytes, except those equal to
 * `fixed` (the row of zero points), and its outputs by 4 pixels. */
#define FZ_QUAD_RUN(TILE_CALL) do { \
        const int8_t *xt[4 * FZ_QUAD_MAXIMUM_ROWS]; \
        intptr_t step[4 * FZ_QUAD_MAXIMUM_ROWS]; \
        for (intptr_t i = 0; i < 4 * rows; i++) { xt[i] = x[i]; step[i] = x[i] == fixed ? 0 : x_step; } \
        int8_t *tile_out = out; \
        const intptr_t out_step = (r->max_pool ? 1 : 4) * pixel_stride; \
        for (intptr_t t = 0; t < tiles; t++) { \
            TILE_CALL; \
            for (intptr_t i = 0; i < 4 * rows; i++) xt[i] = (const int8_t *)((intptr_t)xt[i] + step[i]); \
            tile_out += out_step; \
        } \
    } while (0)


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

/* fz_x86_detect_kernel, asked once per process (cpuid traps to the hypervisor on virtual
 * machines); a race only repeats the same detection. */
static inline int fz_x86_kernel(void) {
    static int cached = -1;
    int kernel = __atomic_load_n(&cached, __ATOMIC_RELAXED);
    if (kernel < 0) {
        kernel = fz_x86_detect_kernel();
        __atomic_store_n(&cached, kernel, __ATOMIC_RELAXED);
    }
    return kernel;
}

/* Whether the CPU also has AVX-512 VBMI (cpuid leaf 7 ECX bit 1; vpermt2b), for the pixel-lanes
 * kernel (fz_avx512vnni_lanes_conv); asked once per process, only meaningful with
 * fz_x86_kernel() == 2. */
static inline int fz_x86_has_avx512vbmi(void) {
    static int cached = -1;
    int vbmi = __atomic_load_n(&cached, __ATOMIC_RELAXED);
    if (vbmi < 0) {
        unsigned int eax, ebx, ecx, edx;
        vbmi = fz_x86_kernel() == 2 && __get_cpuid_count(7, 0, &eax, &ebx, &ecx, &edx) && ((ecx >> 1) & 1u);
        __atomic_store_n(&cached, vbmi, __ATOMIC_RELAXED);
    }
    return vbmi;
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

/* SaturatingRoundingDoublingHighMul(x, m) = (x * m + nudge) / 2^31 truncating toward zero,
 * nudge 2^30 for a product >= 0 and 1 - 2^30 otherwise, is floor((x * m + 2^30) / 2^31) for
 * every product (for a negative sum s = p + 1 - 2^30, truncation is floor((s + 2^31 - 1) / 2^31)),
 * except INT32_MIN * INT32_MIN, which cannot occur: multipliers are >= 0 (validated). So the
 * vector forms below add 2^30 to the 64-bit product and take bits 31..62 (FZ_HIGH_MUL). */

/* Double-rounding requantisation (docs/quantization.md) of 4 accumulators, AVX2, bit-exact
 * with the scalar definitions, up to the output stage: the saturating left shift and
 * SaturatingRoundingDoublingHighMul in 64-bit lanes (vpmuldq, FZ_HIGH_MUL), RoundingDivideByPOT
 * in 32-bit lanes. */
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

#define FZ_AVX512VNNI __attribute__((target("avx2,avx512f,avx512bw,avx512vl,avx512vnni")))

/* The per-channel constants of fz_avx512_requantize_double for 16 channels, computed once per
 * tile and group of 16 channels and shared by the tile's pixels, in 64-bit lanes for the even
 * (`_e`) and odd (`_o`) channels: with right shift r, RoundingDivideByPOT(floor((p + 2^30) /
 * 2^31), r) of the 64-bit product p = x * m is floor((p + k - a) / 2^(31 + r)), where
 * k = 2^30 + (r > 0 ? 2^(30 + r) : 0) and a = 2^31 when r > 0 and p < -2^30 (the high product
 * is then negative), else 0. (Nested floor divisions by 2^31 and 2^r are one floor division;
 * RoundingDivideByPOT's ties away from zero are floor((y + 2^(r-1) - [y < 0]) / 2^r) for r >= 1.)
 * |p| < 2^62 and k <= 2^30 + 2^61, so the sum never overflows. */
typedef struct {
    __m512i m, m_o, left, k_e, k_o, s_e, s_o;
    __mmask8 r_e, r_o; /* lanes with r > 0 */
    __m256i zero_point, output_min, output_max; /* the output stage's, in 16 int16 lanes */
} fz_avx512_requantization;

FZ_AVX512VNNI __attribute__((always_inline))
static inline fz_avx512_requantization fz_avx512_requantization_at(const fz_requantization *r, int offset) {
    fz_avx512_requantization c;
    const __m512i zero = _mm512_setzero_si512(), unit30 = _mm512_set1_epi64(1ll << 30), s31 = _mm512_set1_epi64(31);
    c.m = _mm512_loadu_si512(r->multiplier + offset);
    c.m_o = _mm512_srli_epi64(c.m, 32);
    c.left = r->any_left_shift ? _mm512_loadu_si512(r->left + offset) : zero;
    const __m512i right = _mm512_sub_epi32(zero, _mm512_loadu_si512(r->neg_right + offset));
    const __m512i r_e = _mm512_and_si512(right, _mm512_set1_epi64(0xffffffffll)), r_o = _mm512_srli_epi64(right, 32);
    c.r_e = _mm512_cmpgt_epi64_mask(r_e, zero);
    c.r_o = _mm512_cmpgt_epi64_mask(r_o, zero);
    c.k_e = _mm512_add_epi64(unit30, _mm512_maskz_sllv_epi64(c.r_e, unit30, r_e));
    c.k_o = _mm512_add_epi64(unit30, _mm512_maskz_sllv_epi64(c.r_o, unit30, r_o));
    c.s_e = _mm512_add_epi64(r_e, s31);
    c.s_o = _mm512_add_epi64(r_o, s31);
    c.zero_point = _mm256_set1_epi16((int16_t)r->zero_point);
    c.output_min = _mm256_set1_epi16((int16_t)r->output_min);
    c.output_max = _mm256_set1_epi16((int16_t)r->output_max);
    return c;
}

/* fz_avx2_requantize_double_16 for the 16 int32 lanes of x, in AVX-512, returning the 16 int8
 * results: the saturating left shift in 32-bit lanes (x above INT32_MAX >> left saturates, below
 * INT32_MIN >> left likewise; skipped when no channel of the op shifts left), then
 * SaturatingRoundingDoublingHighMul (FZ_HIGH_MUL's floor form) and RoundingDivideByPOT as one
 * rounding shift of the 64-bit products of the even and odd lanes (vpmuldq, vpsravq; constants
 * of fz_avx512_requantization_at), and the output stage on 16 int16 lanes (saturating narrow,
 * saturating add of the zero point, one clamp: equal to requantizeToInt8's clamp, add, clamp
 * because the bounds and the zero point are int8). */
FZ_AVX512VNNI __attribute__((always_inline))
static inline __m128i fz_avx512_requantize_double(__m512i x, const fz_avx512_requantization *c, const fz_requantization *r) {
    if (r->any_left_shift) {
        const __m512i int32_max = _mm512_set1_epi32(INT32_MAX), int32_min = _mm512_set1_epi32(INT32_MIN);
        __mmask16 over = _mm512_cmpgt_epi32_mask(x, _mm512_srav_epi32(int32_max, c->left));
        __mmask16 under = _mm512_cmplt_epi32_mask(x, _mm512_srav_epi32(int32_min, c->left));
        x = _mm512_mask_mov_epi32(_mm512_mask_mov_epi32(_mm512_sllv_epi32(x, c->left), over, int32_max), under, int32_min);
    }
    const __m512i negative = _mm512_set1_epi64(-(1ll << 30)), unit31 = _mm512_set1_epi64(1ll << 31);
    const __m512i p_e = _mm512_mul_epi32(x, c->m), p_o = _mm512_mul_epi32(_mm512_srli_epi64(x, 32), c->m_o);
    __m512i t_e = _mm512_add_epi64(p_e, c->k_e), t_o = _mm512_add_epi64(p_o, c->k_o);
    t_e = _mm512_mask_sub_epi64(t_e, _mm512_mask_cmplt_epi64_mask(c->r_e, p_e, negative), t_e, unit31);
    t_o = _mm512_mask_sub_epi64(t_o, _mm512_mask_cmplt_epi64_mask(c->r_o, p_o, negative), t_o, unit31);
    /* The results fit in int32: the even ones are the low halves of t_e's lanes, and the odd
     * lanes take the low halves of t_o's lanes (swapped into place by vpshufd). */
    x = _mm512_mask_shuffle_epi32(_mm512_srav_epi64(t_e, c->s_e), 0xaaaa, _mm512_srav_epi64(t_o, c->s_o), _MM_PERM_CDAB);
    __m256i h = _mm256_adds_epi16(_mm512_cvtsepi32_epi16(x), c->zero_point);
    h = _mm256_min_epi16(_mm256_max_epi16(h, c->output_min), c->output_max);
    return _mm256_cvtepi16_epi8(h);
}

/* The 4 bytes at p XOR 0x80 in each 32-bit lane, in one vpxord with a broadcast memory operand
 * (clang otherwise loads, XORs and broadcasts in three instructions). */
FZ_AVX512VNNI __attribute__((always_inline))
static inline __m512i fz_avx512_flip_broadcast(const int8_t *p, __m512i flip) {
    __m512i u;
    __asm__("vpxord %1%{1to16%}, %2, %0" : "=v"(u) : "m"(*(const int32_t *)(const void *)p), "v"(flip));
    return u;
}

/* The receptive field of one output pixel gathered (Fast.gather): kernel row ky, the
 * row_length bytes of input row in_y0 + ky from column in_x0 on, to dst + ky * row_stride, the
 * zero point outside the image; 64 bytes a masked load (masked-off bytes are not read, so the
 * address may lie outside the input) and a masked store (the bytes after row_length stay). */
FZ_AVX512VNNI
static inline void fz_avx512_gather(
    const int8_t *input, intptr_t in_height, intptr_t in_width, intptr_t in_channels, intptr_t in_y0, intptr_t in_x0,
    intptr_t kernel_height, intptr_t row_length, int8_t zero_point, int8_t *dst, intptr_t row_stride) {
    const __m512i zp = _mm512_set1_epi8((char)zero_point);
    const intptr_t row_bytes = in_width * in_channels;
    for (intptr_t ky = 0; ky < kernel_height; ky++) {
        const intptr_t y = in_y0 + ky;
        for (intptr_t offset = 0; offset < row_length; offset += 64) {
            const intptr_t first = in_x0 * in_channels + offset, length = row_length - offset < 64 ? row_length - offset : 64;
            const intptr_t lo = first < 0 ? -first : 0, hi = row_bytes - first < length ? row_bytes - first : length;
            const __mmask64 store = length >= 64 ? ~0ull : (1ull << length) - 1;
            const __mmask64 load = y < 0 || y >= in_height || hi <= lo ? 0 : (hi >= 64 ? ~0ull : (1ull << hi) - 1) & ~((1ull << lo) - 1);
            const __m512i v = _mm512_mask_loadu_epi8(zp, load, (const void *)((uintptr_t)(input + y * row_bytes) + (uintptr_t)first));
            _mm512_mask_storeu_epi8(dst + ky * row_stride + offset, store, v);
        }
    }
}

/* sum(w[i] * x[i]) and sum(w[i]) over i < n, wrapping int32 (a fully connected output,
 * Fast.accumulator): vpdpbusd on x XOR 0x80 = x + 128 (unsigned), less 128 * sum(w); 64 bytes
 * a step, the tail's weights loaded as 0 (masked), so whatever x holds there adds nothing. */
FZ_AVX512VNNI
static inline int32_t fz_avx512_dot(const int8_t *w, const int8_t *x, intptr_t n, int32_t *weight_sum) {
    const __m512i flip = _mm512_set1_epi8((char)0x80), ones = _mm512_set1_epi8(1);
    __m512i products = _mm512_setzero_si512(), sums = _mm512_setzero_si512();
    for (intptr_t i = 0; i < n; i += 64) {
        const __mmask64 mask = n - i >= 64 ? ~0ull : (1ull << (n - i)) - 1;
        const __m512i wv = _mm512_maskz_loadu_epi8(mask, w + i);
        products = _mm512_dpbusd_epi32(products, _mm512_xor_si512(_mm512_maskz_loadu_epi8(mask, x + i), flip), wv);
        sums = _mm512_dpbusd_epi32(sums, ones, wv);
    }
    const int32_t sum = _mm512_reduce_add_epi32(sums);
    *weight_sum = sum;
    return (int32_t)((uint32_t)_mm512_reduce_add_epi32(products) - 128u * (uint32_t)sum);
}

/* The lane-wise maximum of 4 pixels' accumulators (a 2x2 max pool window). */
FZ_AVX512VNNI __attribute__((always_inline))
static inline __m512i fz_avx512_max_4(__m512i a0, __m512i a1, __m512i a2, __m512i a3) {
    return _mm512_max_epi32(_mm512_max_epi32(a0, a1), _mm512_max_epi32(a2, a3));
}

/* Group g of pixel p's accumulators: requantised into out + p * pixel_stride + 16 g (the lanes
 * below `channels - 16 g`; `c` the group's constants), or, without `r`, stored to
 * acc + 64 p + 16 g. */
#define FZ_VNNI_STORE(p, g, a, c) do { \
        if ((p) < pixels && 16 * (g) < channels) { \
            if (r) { \
                __mmask16 lanes = channels - 16 * (g) >= 16 ? 0xffff : (__mmask16)((1u << (channels - 16 * (g))) - 1); \
                _mm_mask_storeu_epi8(out + (p) * pixel_stride + 16 * (g), lanes, fz_avx512_requantize_double(a, &(c), r)); \
            } else { \
                _mm512_storeu_si512(acc + 64 * (p) + 16 * (g), a); \
            } \
        } \
    } while (0)

/* The 4 pixels of group g (FZ_VNNI_STORE), the requantisation constants computed once; with
 * r->max_pool their maximum as pixel 0. */
#define FZ_VNNI_STORE_GROUP(g, a0, a1, a2, a3) do { \
        fz_avx512_requantization c; \
        if (r) c = fz_avx512_requantization_at(r, 16 * (g)); \
        if (r && r->max_pool) { \
            FZ_VNNI_STORE(0, g, fz_avx512_max_4(a0, a1, a2, a3), c); \
        } else { \
            FZ_VNNI_STORE(0, g, a0, c); FZ_VNNI_STORE(1, g, a1, c); FZ_VNNI_STORE(2, g, a2, c); FZ_VNNI_STORE(3, g, a3, c); \
        } \
    } while (0)

/* One tile of the AVX-512 VNNI conv2D kernel: 4 output pixels x `groups` (1 to 4) blocks of 16
 * channels. The accumulator of pixel p, channel 16 g + c is bias[16 g + c] + the sum over kernel
 * rows r < `rows` and quads q < `quads` of sum_j w[g][r][q][c][j] * (x[4 r + p][4 q + j] + 128),
 * where x[4 r + p] points to pixel p's kernel row r (int8; XOR 0x80 makes it the unsigned
 * operand of vpdpbusd, and the packed bias subtracts (zero point + 128) * sum(w)). `w` is int8
 * [group][row][quad][16 channels][4], `group_stride` bytes between groups. vpdpbusd adds four
 * u8 x s8 products into each int32 lane without saturation, wrapping like the reference's &+.
 * The first `pixels` pixels and `channels` channels are written (FZ_VNNI_STORE), or with
 * r->max_pool the one pooled pixel of the 4. */
FZ_AVX512VNNI __attribute__((always_inline))
static inline void fz_avx512vnni_tile(
    const int8_t *w, intptr_t group_stride, const int groups, const int8_t *const *x, intptr_t rows,
    intptr_t quads, const int32_t *bias, const fz_requantization *r, int8_t *out, intptr_t pixel_stride,
    intptr_t pixels, intptr_t channels, int32_t *acc) {
    const __m512i zero = _mm512_setzero_si512(), flip = _mm512_set1_epi8((char)0x80);
    __m512i b0 = _mm512_loadu_si512(bias);
    __m512i b1 = groups > 1 ? _mm512_loadu_si512(bias + 16) : zero;
    __m512i b2 = groups > 2 ? _mm512_loadu_si512(bias + 32) : zero;
    __m512i b3 = groups > 3 ? _mm512_loadu_si512(bias + 48) : zero;
    __m512i a00 = b0, a10 = b0, a20 = b0, a30 = b0, a01 = b1, a11 = b1, a21 = b1, a31 = b1;
    __m512i a02 = b2, a12 = b2, a22 = b2, a32 = b2, a03 = b3, a13 = b3, a23 = b3, a33 = b3;
    const int8_t *wq = w;
    for (intptr_t row = 0; row < rows; row++) {
        const int8_t *x0 = x[4 * row], *x1 = x[4 * row + 1], *x2 = x[4 * row + 2], *x3 = x[4 * row + 3];
        for (intptr_t q = 0; q < quads; q++) {
            __m512i u0 = fz_avx512_flip_broadcast(x0 + 4 * q, flip), u1 = fz_avx512_flip_broadcast(x1 + 4 * q, flip);
            __m512i u2 = fz_avx512_flip_broadcast(x2 + 4 * q, flip), u3 = fz_avx512_flip_broadcast(x3 + 4 * q, flip);
            __m512i w0 = _mm512_loadu_si512(wq);
            a00 = _mm512_dpbusd_epi32(a00, u0, w0); a10 = _mm512_dpbusd_epi32(a10, u1, w0);
            a20 = _mm512_dpbusd_epi32(a20, u2, w0); a30 = _mm512_dpbusd_epi32(a30, u3, w0);
            if (groups > 1) {
                __m512i w1 = _mm512_loadu_si512(wq + group_stride);
                a01 = _mm512_dpbusd_epi32(a01, u0, w1); a11 = _mm512_dpbusd_epi32(a11, u1, w1);
                a21 = _mm512_dpbusd_epi32(a21, u2, w1); a31 = _mm512_dpbusd_epi32(a31, u3, w1);
            }
            if (groups > 2) {
                __m512i w2 = _mm512_loadu_si512(wq + 2 * group_stride);
                a02 = _mm512_dpbusd_epi32(a02, u0, w2); a12 = _mm512_dpbusd_epi32(a12, u1, w2);
                a22 = _mm512_dpbusd_epi32(a22, u2, w2); a32 = _mm512_dpbusd_epi32(a32, u3, w2);
            }
            if (groups > 3) {
                __m512i w3 = _mm512_loadu_si512(wq + 3 * group_stride);
                a03 = _mm512_dpbusd_epi32(a03, u0, w3); a13 = _mm512_dpbusd_epi32(a13, u1, w3);
                a23 = _mm512_dpbusd_epi32(a23, u2, w3); a33 = _mm512_dpbusd_epi32(a33, u3, w3);
            }
            wq += 64;
        }
    }
    FZ_VNNI_STORE_GROUP(0, a00, a10, a20, a30);
    if (groups > 1) FZ_VNNI_STORE_GROUP(1, a01, a11, a21, a31);
    if (groups > 2) FZ_VNNI_STORE_GROUP(2, a02, a12, a22, a32);
    if (groups > 3) FZ_VNNI_STORE_GROUP(3, a03, a13, a23, a33);
}
#undef FZ_VNNI_STORE_GROUP
#undef FZ_VNNI_STORE

/* fz_avx512vnni_tile with `groups` a constant in each case (accumulators stay in registers).
 * `r`: double-rounding requantisation into `out`; NULL: the accumulators go to `acc` (64 per
 * pixel) for the caller's scalar requantisation. Called only when fz_x86_kernel() == 2. */
FZ_AVX512VNNI
static inline void fz_avx512vnni_conv_tile(
    const int8_t *w, intptr_t group_stride, intptr_t groups, const int8_t *const *x, intptr_t rows,
    intptr_t quads, const int32_t *bias, const fz_requantization *r, int8_t *out, intptr_t pixel_stride,
    intptr_t pixels, intptr_t channels, int32_t *acc) {
    switch (groups) {
    case 1: fz_avx512vnni_tile(w, group_stride, 1, x, rows, quads, bias, r, out, pixel_stride, pixels, channels, acc); break;
    case 2: fz_avx512vnni_tile(w, group_stride, 2, x, rows, quads, bias, r, out, pixel_stride, pixels, channels, acc); break;
    case 3: fz_avx512vnni_tile(w, group_stride, 3, x, rows, quads, bias, r, out, pixel_stride, pixels, channels, acc); break;
    default: fz_avx512vnni_tile(w, group_stride, 4, x, rows, quads, bias, r, out, pixel_stride, pixels, channels, acc); break;
    }
}

/* `tiles` full in-place tiles along an output row of an op with `groups` (1 or 2) blocks of 16
 * channels, double rounding, two tiles (8 pixels, 8 or 16 accumulators) per pass: arguments as
 * fz_neon_sdot_conv_run (the first tile's row pointers x, each next tile's advanced by x_step
 * bytes unless they are `fixed`, the row of zero points, which all 4 pixels of a row then
 * share; with r->max_pool each tile is one pooled pixel). An odd last tile goes through
 * fz_avx512vnni_tile. */
#define FZ_VNNI_RUN_STORE(g, a, p) \
    _mm_mask_storeu_epi8(o + (p) * pixel_stride + 16 * (g), lanes##g, fz_avx512_requantize_double(a, &c##g, r))
FZ_AVX512VNNI __attribute__((always_inline))
static inline void fz_avx512vnni_run(
    const int8_t *w, intptr_t group_stride, const int groups, const int8_t *const *x, intptr_t rows, intptr_t quads,
    const int32_t *bias, const fz_requantization *r, int8_t *out, intptr_t pixel_stride, intptr_t channels,
    intptr_t tiles, intptr_t x_step, const int8_t *fixed) {
    const __m512i flip = _mm512_set1_epi8((char)0x80), b0 = _mm512_loadu_si512(bias);
    const __m512i b1 = groups > 1 ? _mm512_loadu_si512(bias + 16) : _mm512_setzero_si512();
    const __mmask16 lanes0 = channels >= 16 ? 0xffff : (__mmask16)((1u << channels) - 1);
    const __mmask16 lanes1 = channels >= 32 ? 0xffff : channels <= 16 ? 0 : (__mmask16)((1u << (channels - 16)) - 1);
    /* The requantisation constants, once per run (the second block's unused with one). */
    const fz_avx512_requantization c0 = fz_avx512_requantization_at(r, 0);
    const fz_avx512_requantization c1 = groups > 1 ? fz_avx512_requantization_at(r, 16) : c0;
    intptr_t t = 0;
    for (; t + 2 <= tiles; t += 2) {
        __m512i a0 = b0, a1 = b0, a2 = b0, a3 = b0, a4 = b0, a5 = b0, a6 = b0, a7 = b0;
        __m512i d0 = b1, d1 = b1, d2 = b1, d3 = b1, d4 = b1, d5 = b1, d6 = b1, d7 = b1;
        const int8_t *wq = w;
        for (intptr_t row = 0; row < rows; row++) {
            /* Each pixel's own step: with r->max_pool a window's two rows can differ in being the
             * zero-point row. */
            const intptr_t s0 = x[4 * row] == fixed ? 0 : x_step, s1 = x[4 * row + 1] == fixed ? 0 : x_step;
            const intptr_t s2 = x[4 * row + 2] == fixed ? 0 : x_step, s3 = x[4 * row + 3] == fixed ? 0 : x_step;
            const int8_t *x0 = x[4 * row] + t * s0, *x1 = x[4 * row + 1] + t * s1;
            const int8_t *x2 = x[4 * row + 2] + t * s2, *x3 = x[4 * row + 3] + t * s3;
            const int8_t *x4 = x0 + s0, *x5 = x1 + s1, *x6 = x2 + s2, *x7 = x3 + s3;
            for (intptr_t q = 0; q < quads; q++) {
                const __m512i u0 = fz_avx512_flip_broadcast(x0 + 4 * q, flip), u1 = fz_avx512_flip_broadcast(x1 + 4 * q, flip);
                const __m512i u2 = fz_avx512_flip_broadcast(x2 + 4 * q, flip), u3 = fz_avx512_flip_broadcast(x3 + 4 * q, flip);
                const __m512i u4 = fz_avx512_flip_broadcast(x4 + 4 * q, flip), u5 = fz_avx512_flip_broadcast(x5 + 4 * q, flip);
                const __m512i u6 = fz_avx512_flip_broadcast(x6 + 4 * q, flip), u7 = fz_avx512_flip_broadcast(x7 + 4 * q, flip);
                const __m512i w0 = _mm512_loadu_si512(wq);
                a0 = _mm512_dpbusd_epi32(a0, u0, w0); a1 = _mm512_dpbusd_epi32(a1, u1, w0);
                a2 = _mm512_dpbusd_epi32(a2, u2, w0); a3 = _mm512_dpbusd_epi32(a3, u3, w0);
                a4 = _mm512_dpbusd_epi32(a4, u4, w0); a5 = _mm512_dpbusd_epi32(a5, u5, w0);
                a6 = _mm512_dpbusd_epi32(a6, u6, w0); a7 = _mm512_dpbusd_epi32(a7, u7, w0);
                if (groups > 1) {
                    const __m512i w1 = _mm512_loadu_si512(wq + group_stride);
                    d0 = _mm512_dpbusd_epi32(d0, u0, w1); d1 = _mm512_dpbusd_epi32(d1, u1, w1);
                    d2 = _mm512_dpbusd_epi32(d2, u2, w1); d3 = _mm512_dpbusd_epi32(d3, u3, w1);
                    d4 = _mm512_dpbusd_epi32(d4, u4, w1); d5 = _mm512_dpbusd_epi32(d5, u5, w1);
                    d6 = _mm512_dpbusd_epi32(d6, u6, w1); d7 = _mm512_dpbusd_epi32(d7, u7, w1);
                }
                wq += 64;
            }
        }
        if (r->max_pool) {
            int8_t *o = out + t * pixel_stride;
            FZ_VNNI_RUN_STORE(0, fz_avx512_max_4(a0, a1, a2, a3), 0); FZ_VNNI_RUN_STORE(0, fz_avx512_max_4(a4, a5, a6, a7), 1);
            if (groups > 1) {
                FZ_VNNI_RUN_STORE(1, fz_avx512_max_4(d0, d1, d2, d3), 0); FZ_VNNI_RUN_STORE(1, fz_avx512_max_4(d4, d5, d6, d7), 1);
            }
            continue;
        }
        int8_t *o = out + 4 * t * pixel_stride;
        {
            FZ_VNNI_RUN_STORE(0, a0, 0); FZ_VNNI_RUN_STORE(0, a1, 1); FZ_VNNI_RUN_STORE(0, a2, 2); FZ_VNNI_RUN_STORE(0, a3, 3);
            FZ_VNNI_RUN_STORE(0, a4, 4); FZ_VNNI_RUN_STORE(0, a5, 5); FZ_VNNI_RUN_STORE(0, a6, 6); FZ_VNNI_RUN_STORE(0, a7, 7);
        }
        if (groups > 1) {
            FZ_VNNI_RUN_STORE(1, d0, 0); FZ_VNNI_RUN_STORE(1, d1, 1); FZ_VNNI_RUN_STORE(1, d2, 2); FZ_VNNI_RUN_STORE(1, d3, 3);
            FZ_VNNI_RUN_STORE(1, d4, 4); FZ_VNNI_RUN_STORE(1, d5, 5); FZ_VNNI_RUN_STORE(1, d6, 6); FZ_VNNI_RUN_STORE(1, d7, 7);
        }
    }
    if (t < tiles) {
        const int8_t *xt[4 * FZ_QUAD_MAXIMUM_ROWS];
        for (intptr_t i = 0; i < 4 * rows; i++) xt[i] = x[i] == fixed ? fixed : x[i] + t * x_step;
        fz_avx512vnni_tile(w, group_stride, groups, xt, rows, quads, bias, r, out + (r->max_pool ? t : 4 * t) * pixel_stride,
                           pixel_stride, 4, channels, 0);
    }
}
#undef FZ_VNNI_RUN_STORE

/* fz_avx512vnni_run with `groups` (1 or 2) a constant in each case; with 3 or 4 the tiles one
 * after the other (FZ_QUAD_RUN), fz_avx512vnni_tile with the constant (through
 * fz_avx512vnni_conv_tile's switch, conv 6 alone went from 12.0 to 13.1 us). */
FZ_AVX512VNNI
static inline void fz_avx512vnni_conv_run(
    const int8_t *w, intptr_t group_stride, intptr_t groups, const int8_t *const *x, intptr_t rows, intptr_t quads,
    const int32_t *bias, const fz_requantization *r, int8_t *out, intptr_t pixel_stride, intptr_t channels,
    intptr_t tiles, intptr_t x_step, const int8_t *fixed) {
    if (groups == 4) {
        FZ_QUAD_RUN(fz_avx512vnni_tile(w, group_stride, 4, xt, rows, quads, bias, r, tile_out, pixel_stride, 4, channels, 0));
    } else if (groups == 3) {
        FZ_QUAD_RUN(fz_avx512vnni_tile(w, group_stride, 3, xt, rows, quads, bias, r, tile_out, pixel_stride, 4, channels, 0));
    } else if (groups == 1) {
        fz_avx512vnni_run(w, group_stride, 1, x, rows, quads, bias, r, out, pixel_stride, channels, tiles, x_step, fixed);
    } else {
        fz_avx512vnni_run(w, group_stride, 2, x, rows, quads, bias, r, out, pixel_stride, channels, tiles, x_step, fixed);
    }
}

#undef FZ_AVX512VNNI

/* ---- Pixel lanes: conv2D for small receptive fields (x86-64 AVX-512 VNNI + VBMI) ----
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

static inline int32_t fz_load_i32(const int8_t *p) {
    int32_t v;
    __builtin_memcpy(&v, p, 4);
    return v;
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
    const intptr_t lo = first_byte < 0 ? -first_byte : 0;
    const intptr_t hi = row_bytes - first_byte < load_bytes ? row_bytes - first_byte : load_bytes;
    const __mmask64 mask = hi <= lo ? 0 : (hi >= 64 ? ~0ull : (1ull << hi) - 1) & ~((1ull << lo) - 1);
    for (intptr_t k = 0; k < count; k++) {
        const intptr_t y = in_y + k;
        __m512i v = zp;
        /* Masked-off bytes are not read (AVX-512 suppresses their faults), so the address may
         * lie before the row. */
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
#define FZ_LANES_STORE(i) if ((i) < n) _mm_mask_storeu_epi8(o + (i) * out_channels, lanes, fz_avx512_requantize_double(a[i], &c, r));
/* Pooled pixel k: the maximum of pixels 2k and 2k + 1. */
#define FZ_LANES_POOL_STORE(k) if ((k) < n) _mm_mask_storeu_epi8(o + (k) * out_channels, lanes, \
        fz_avx512_requantize_double(_mm512_max_epi32(a[2 * (k)], a[2 * (k) + 1]), &c, r));

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
        const intptr_t channels = out_channels - 16 * block;
        const __mmask16 lanes = channels >= 16 ? 0xffff : (__mmask16)((1u << channels) - 1);
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
#endif

#if defined(__aarch64__) && defined(__ARM_NEON)
#include <arm_neon.h>

/* Body of the aarch64 quad-tile runs (fz_neon_sdot_conv_run, fz_neon_smull_conv_run; the
 * x86-64 runs use FZ_QUAD_RUN, which keeps a row pointer array): `tiles` full tiles along an
 * output row, double rounding. The first tile's row pointers are x; each
 * next tile's advance by x_step bytes, and its outputs by 4 pixels (1 with r->max_pool). Row
 * pointers equal to `fixed` (the row of zero points, rows above or below the input) read
 * instead a local row of zero points long enough to advance with the others, so every pointer
 * of tile t is x[i] + t * x_step: TILE_CALL gets that as `offset` (in chunks of tiles when
 * the local row would exceed FZ_NEON_ZERO_RUN bytes). */
#define FZ_NEON_ZERO_RUN 2048
#define FZ_NEON_RUN(TILE_CALL) do { \
        const int8_t *xt[4 * FZ_QUAD_MAXIMUM_ROWS]; \
        int8_t zeros[FZ_NEON_ZERO_RUN]; \
        intptr_t chunk = tiles; \
        int any_fixed = 0; \
        for (intptr_t i = 0; i < 4 * rows; i++) any_fixed |= x[i] == fixed; \
        if (any_fixed) { \
            intptr_t room = (FZ_NEON_ZERO_RUN - 4 * quads) / x_step + 1; \
            if (room < chunk) chunk = room; \
            intptr_t length = 4 * quads + (chunk - 1) * x_step; \
            for (intptr_t i = 0; i < length; i++) zeros[i] = fixed[0]; \
        } \
        const intptr_t out_step = (r->max_pool ? 1 : 4) * pixel_stride; \
        for (intptr_t first = 0; first < tiles; first += chunk) { \
            for (intptr_t i = 0; i < 4 * rows; i++) xt[i] = x[i] == fixed ? zeros : x[i] + first * x_step; \
            int8_t *tile_out = out + first * out_step; \
            intptr_t count = tiles - first < chunk ? tiles - first : chunk; \
            for (intptr_t offset = 0; offset < count * x_step; offset += x_step) { \
                TILE_CALL; \
                tile_out += out_step; \
            } \
        } \
    } while (0)

/* DO(TILE(rows, quads, groups)): DO is FZ_NEON_RUN or FZ_NEON_ONCE, TILE the tile body, also
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

/* The 16 accumulators a0..a3 (4 channels each), straight-line (no arrays: the compiler keeps
 * them in registers); `any_left_shift` 0 skips the left shift (every channel's is 0). The output stage works on 8 lanes of int16: narrowing with saturation,
 * then adding the zero point with saturation, then clamping to [output_min, output_max] gives
 * requantizeToInt8's clamp to [-256, 255], add, clamp, because the bounds lie in [-128, 127]
 * and the zero point too (a value beyond [-256, 255] ends beyond the bounds either way). */
static inline int8x16_t fz_neon_requantize_double(
    int32x4_t a0, int32x4_t a1, int32x4_t a2, int32x4_t a3, const int32_t *multiplier, const int32_t *left,
    const int32_t *neg_right, int any_left_shift, int32_t zero_point, int32_t output_min, int32_t output_max) {
    const int16x8_t zp = vdupq_n_s16((int16_t)zero_point);
    const int16x8_t lo = vdupq_n_s16((int16_t)output_min), hi = vdupq_n_s16((int16_t)output_max);
    int16x8_t low = vcombine_s16(vqmovn_s32(fz_neon_requantize_4(a0, multiplier, left, neg_right, any_left_shift)),
                                 vqmovn_s32(fz_neon_requantize_4(a1, multiplier + 4, left + 4, neg_right + 4, any_left_shift)));
    int16x8_t high = vcombine_s16(vqmovn_s32(fz_neon_requantize_4(a2, multiplier + 8, left + 8, neg_right + 8, any_left_shift)),
                                  vqmovn_s32(fz_neon_requantize_4(a3, multiplier + 12, left + 12, neg_right + 12, any_left_shift)));
    low = vminq_s16(vmaxq_s16(vqaddq_s16(low, zp), lo), hi);
    high = vminq_s16(vmaxq_s16(vqaddq_s16(high, zp), lo), hi);
    return vcombine_s8(vmovn_s16(low), vmovn_s16(high));
}

/* fz_neon_requantize_double for 16 accumulators in memory, stored to `out`. */
static inline void fz_neon_requantize_double_16(
    const int32_t *acc, const int32_t *multiplier, const int32_t *left, const int32_t *neg_right,
    int32_t zero_point, int32_t output_min, int32_t output_max, int8_t *out) {
    vst1q_s8(out, fz_neon_requantize_double(
        vld1q_s32(acc), vld1q_s32(acc + 4), vld1q_s32(acc + 8), vld1q_s32(acc + 12),
        multiplier, left, neg_right, 1, zero_point, output_min, output_max));
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

/* ARMv8.0 form of the quad tiles (cortex-a72, Pi 4), same layout and arguments as
 * fz_neon_sdot_conv_tile: one pixel at a time (16 accumulators would spill with two), quads in
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
#define FZ_ADVANCE(p, n) do { (p) += (n); __asm__("" : "+r"(p)); } while (0)
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

/* The 4 bytes at p in each 32-bit lane. The empty asm hides that the halves are equal, which
 * clang would otherwise use to turn each smull2 into ext + smull. */
static inline int8x16_t fz_neon_quad(const int8_t *p) {
    int32_t v;
    __builtin_memcpy(&v, p, 4);
    int8x16_t x = vreinterpretq_s8_s32(vdupq_n_s32(v));
    __asm__("" : "+w"(x));
    return x;
}

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

/* One tile of fz_neon_smull_tile_body, called from Swift for tiles outside runs. */
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

/* `tiles` tiles of fz_neon_smull_tile_body along an output row (FZ_NEON_RUN). */
__attribute__((noinline))
static inline void fz_neon_smull_conv_run(
    const int8_t *w, intptr_t group_stride, intptr_t groups, const int8_t *const *x, intptr_t rows,
    intptr_t quads, const int32_t *bias, const fz_requantization *r, int8_t *out, intptr_t pixel_stride,
    intptr_t channels, intptr_t tiles, intptr_t x_step, const int8_t *fixed) {
#define FZ_SMULL_TILE(rows_, quads_, groups_) \
    fz_neon_smull_tile_body(w, group_stride, groups_, xt, offset, rows_, quads_, bias, r, tile_out, pixel_stride, 4, channels, 0)
    FZ_NEON_SHAPES(FZ_NEON_RUN, FZ_SMULL_TILE);
#undef FZ_SMULL_TILE
}

/* The dot-product tile is compiled for ARMv8.2 + dot product in every aarch64 build and called
 * only when fz_neon_has_dotprod() (the build targets it). */
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

/* The ARMv8.2 dot-product form of fz_avx512vnni_conv_tile, same layout and arguments (int8
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

/* One tile (fz_neon_sdot_tile_body), called from Swift for tiles outside runs. */
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

/* `tiles` tiles along an output row (FZ_NEON_RUN), the tile inlined: not inlined into the Swift
 * caller, so a tile costs no call, prologue and epilogue (they were about 60 instructions a
 * tile, 1,232 tiles of the default model). */
FZ_DOTPROD __attribute__((noinline))
static inline void fz_neon_sdot_conv_run(
    const int8_t *w, intptr_t group_stride, intptr_t groups, const int8_t *const *x, intptr_t rows,
    intptr_t quads, const int32_t *bias, const fz_requantization *r, int8_t *out, intptr_t pixel_stride,
    intptr_t channels, intptr_t tiles, intptr_t x_step, const int8_t *fixed) {
    if (rows == 3 && quads == 3 && groups == 1 && fz_neon_sdot_combinable(w)) {
        const int8x16x4_t combined = fz_neon_sdot_combine(w);
        FZ_NEON_RUN(fz_neon_sdot_tile_body(w, group_stride, 1, xt, offset, 3, 3, bias, r, tile_out, pixel_stride, 4, channels, 0,
                                           &combined));
        return;
    }
#define FZ_SDOT_TILE(rows_, quads_, groups_) \
    fz_neon_sdot_tile_body(w, group_stride, groups_, xt, offset, rows_, quads_, bias, r, tile_out, pixel_stride, 4, channels, 0, 0)
    FZ_NEON_SHAPES(FZ_NEON_RUN, FZ_SDOT_TILE);
#undef FZ_SDOT_TILE
}
#undef FZ_DOTPROD

#endif

#endif /* FACELYZR_SIMD_H */

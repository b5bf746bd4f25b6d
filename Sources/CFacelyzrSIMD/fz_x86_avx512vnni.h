/*
 * x86-64 with AVX-512 VNNI (fz_x86_kernel() == 2): the quad tiles and runs of conv2D
 * (vpdpbusd on x XOR 0x80), their double-rounding requantisation in zmm registers, the masked
 * gather of border receptive fields, and the fully connected dot product. Include
 * facelyzr_simd.h, not this file; see docs/kernels.md.
 */
#ifndef FZ_X86_AVX512VNNI_H
#define FZ_X86_AVX512VNNI_H

#include "fz_x86_sse2_avx2.h"

#define FZ_AVX512VNNI __attribute__((target("avx2,avx512f,avx512bw,avx512vl,avx512vnni")))

/* The per-channel constants of fz_avx512_requantize_store for 16 channels, computed once per
 * tile (or run) and group of 16 channels and shared by its pixels, in 64-bit lanes for the even
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

/* The lanes of the first `channels` (at least 1) of a block of 16: all 16 from 16 on. */
FZ_AVX512VNNI __attribute__((always_inline))
static inline __mmask16 fz_avx512_channel_mask(intptr_t channels) {
    return channels >= 16 ? 0xffff : (__mmask16)((1u << channels) - 1);
}

/* fz_avx2_requantize_double_16 for the 16 int32 lanes of x, in AVX-512, the int8 results of
 * the `lanes` stored to out: the saturating left shift in 32-bit lanes (x above
 * INT32_MAX >> left saturates, below INT32_MIN >> left likewise; skipped when no channel of the
 * op shifts left), then SaturatingRoundingDoublingHighMul (its floor form, derived in
 * fz_x86_sse2_avx2.h) and RoundingDivideByPOT as one rounding shift of the 64-bit products of
 * the even and odd lanes (vpmuldq, vpsravq; constants of fz_avx512_requantization_at), and the
 * output stage on 16 int16 lanes (saturating narrow, saturating add of the zero point, one
 * clamp: equal to requantizeToInt8's clamp, add, clamp because the bounds and the zero point
 * are int8). */
FZ_AVX512VNNI __attribute__((always_inline))
static inline void fz_avx512_requantize_store(
    __m512i x, const fz_avx512_requantization *c, const fz_requantization *r, int8_t *out, __mmask16 lanes) {
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
    _mm_mask_storeu_epi8(out, lanes, _mm256_cvtepi16_epi8(h));
}

/* The 4 bytes at p XOR 0x80 in each 32-bit lane, in one vpxord with a broadcast memory operand
 * (clang otherwise loads, XORs and broadcasts in three instructions). */
FZ_AVX512VNNI __attribute__((always_inline))
static inline __m512i fz_avx512_flip_broadcast(const int8_t *p, __m512i flip) {
    __m512i u;
    __asm__("vpxord %1%{1to16%}, %2, %0" : "=v"(u) : "m"(*(const int32_t *)(const void *)p), "v"(flip));
    return u;
}

/* Of the `length` (at most 64) bytes from byte `first` of a row of row_bytes bytes, those
 * inside the row: the mask of a load that leaves the others to the zero point (masked-off
 * bytes are not read, so the address may lie outside the row). */
FZ_AVX512VNNI __attribute__((always_inline))
static inline __mmask64 fz_avx512_inside(intptr_t first, intptr_t length, intptr_t row_bytes) {
    const intptr_t lo = first < 0 ? -first : 0, hi = row_bytes - first < length ? row_bytes - first : length;
    return hi <= lo ? 0 : (hi >= 64 ? ~0ull : (1ull << hi) - 1) & ~((1ull << lo) - 1);
}

/* The receptive field of one output pixel gathered (Fast.gather): kernel row ky, the
 * row_length bytes of input row in_y0 + ky from column in_x0 on, to dst + ky * row_stride, the
 * zero point outside the image; 64 bytes a masked load (fz_avx512_inside) and a masked store
 * (the bytes after row_length stay). */
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
            const __mmask64 store = length >= 64 ? ~0ull : (1ull << length) - 1;
            const __mmask64 load = y < 0 || y >= in_height ? 0 : fz_avx512_inside(first, length, row_bytes);
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
                fz_avx512_requantize_store(a, &(c), r, out + (p) * pixel_stride + 16 * (g), \
                                           fz_avx512_channel_mask(channels - 16 * (g))); \
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

/* One tile (fz_conv_tile_fn), the row pointers x[i] + offset, `groups` a constant where it is
 * inlined (the 16 accumulators stay in registers): pixel p's quad is XORed with 0x80 (x + 128,
 * the unsigned operand of vpdpbusd; the packed bias subtracts (zero point + 128) * sum(w)) and
 * broadcast, and vpdpbusd adds four u8 x s8 products into each int32 lane without saturation,
 * wrapping like the reference's &+. */
FZ_AVX512VNNI __attribute__((always_inline))
static inline void fz_avx512vnni_tile(
    const int8_t *w, intptr_t group_stride, const int groups, const int8_t *const *x, intptr_t offset, intptr_t rows,
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
        const int8_t *x0 = x[4 * row] + offset, *x1 = x[4 * row + 1] + offset;
        const int8_t *x2 = x[4 * row + 2] + offset, *x3 = x[4 * row + 3] + offset;
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

/* fz_conv_tile_fn on x86-64 (called from Swift for tiles outside runs): fz_avx512vnni_tile with
 * `groups` a constant in each case. Called only when fz_x86_kernel() == 2. */
FZ_AVX512VNNI static inline fz_conv_tile_fn fz_avx512vnni_conv_tile;
FZ_AVX512VNNI
static inline void fz_avx512vnni_conv_tile(
    const int8_t *w, intptr_t group_stride, intptr_t groups, const int8_t *const *x, intptr_t rows,
    intptr_t quads, const int32_t *bias, const fz_requantization *r, int8_t *out, intptr_t pixel_stride,
    intptr_t pixels, intptr_t channels, int32_t *acc) {
    switch (groups) {
    case 1: fz_avx512vnni_tile(w, group_stride, 1, x, 0, rows, quads, bias, r, out, pixel_stride, pixels, channels, acc); break;
    case 2: fz_avx512vnni_tile(w, group_stride, 2, x, 0, rows, quads, bias, r, out, pixel_stride, pixels, channels, acc); break;
    case 3: fz_avx512vnni_tile(w, group_stride, 3, x, 0, rows, quads, bias, r, out, pixel_stride, pixels, channels, acc); break;
    default: fz_avx512vnni_tile(w, group_stride, 4, x, 0, rows, quads, bias, r, out, pixel_stride, pixels, channels, acc); break;
    }
}

/* `tiles` tiles of an op with `groups` (1 or 2) blocks of 16 channels, every row pointer of
 * tile t at x[i] + t * x_step (FZ_RUN_CHUNKS), outputs out_step bytes apart, double rounding:
 * two tiles (8 pixels, 8 or 16 zmm accumulators) per pass, each weight load serving 8 pixels;
 * an odd last tile goes through fz_avx512vnni_tile. With 3 or 4 blocks two tiles would need
 * 24 or 32 accumulators, more than the 32 zmm registers leave room for, so those runs take
 * the tiles one at a time (fz_avx512vnni_conv_run). */
#define FZ_VNNI_RUN_STORE(g, a, p) fz_avx512_requantize_store(a, &c##g, r, o + (p) * pixel_stride + 16 * (g), lanes##g)
FZ_AVX512VNNI __attribute__((always_inline))
static inline void fz_avx512vnni_run(
    const int8_t *w, intptr_t group_stride, const int groups, const int8_t *const *x, intptr_t rows, intptr_t quads,
    const int32_t *bias, const fz_requantization *r, int8_t *out, intptr_t pixel_stride, intptr_t channels,
    intptr_t tiles, intptr_t x_step, intptr_t out_step) {
    const __m512i flip = _mm512_set1_epi8((char)0x80), b0 = _mm512_loadu_si512(bias);
    const __m512i b1 = groups > 1 ? _mm512_loadu_si512(bias + 16) : _mm512_setzero_si512();
    const __mmask16 lanes0 = fz_avx512_channel_mask(channels), lanes1 = channels <= 16 ? 0 : fz_avx512_channel_mask(channels - 16);
    /* The requantisation constants, once per run (the second block's unused with one). */
    const fz_avx512_requantization c0 = fz_avx512_requantization_at(r, 0);
    const fz_avx512_requantization c1 = groups > 1 ? fz_avx512_requantization_at(r, 16) : c0;
    intptr_t t = 0;
    for (; t + 2 <= tiles; t += 2) {
        __m512i a0 = b0, a1 = b0, a2 = b0, a3 = b0, a4 = b0, a5 = b0, a6 = b0, a7 = b0;
        __m512i d0 = b1, d1 = b1, d2 = b1, d3 = b1, d4 = b1, d5 = b1, d6 = b1, d7 = b1;
        const int8_t *wq = w;
        const intptr_t offset = t * x_step;
        for (intptr_t row = 0; row < rows; row++) {
            const int8_t *x0 = x[4 * row] + offset, *x1 = x[4 * row + 1] + offset;
            const int8_t *x2 = x[4 * row + 2] + offset, *x3 = x[4 * row + 3] + offset;
            const int8_t *x4 = x0 + x_step, *x5 = x1 + x_step, *x6 = x2 + x_step, *x7 = x3 + x_step;
            for (intptr_t k = 0; k < 4 * quads; k += 4) {
                /* k opaque to clang, which otherwise advanced all 8 pointers instead of one index
                 * (7 more instructions per 16 vpdpbusd). */
                __asm__("" : "+r"(k));
                const __m512i u0 = fz_avx512_flip_broadcast(x0 + k, flip), u1 = fz_avx512_flip_broadcast(x1 + k, flip);
                const __m512i u2 = fz_avx512_flip_broadcast(x2 + k, flip), u3 = fz_avx512_flip_broadcast(x3 + k, flip);
                const __m512i u4 = fz_avx512_flip_broadcast(x4 + k, flip), u5 = fz_avx512_flip_broadcast(x5 + k, flip);
                const __m512i u6 = fz_avx512_flip_broadcast(x6 + k, flip), u7 = fz_avx512_flip_broadcast(x7 + k, flip);
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
        int8_t *o = out + t * out_step;
        if (r->max_pool) {
            FZ_VNNI_RUN_STORE(0, fz_avx512_max_4(a0, a1, a2, a3), 0); FZ_VNNI_RUN_STORE(0, fz_avx512_max_4(a4, a5, a6, a7), 1);
            if (groups > 1) {
                FZ_VNNI_RUN_STORE(1, fz_avx512_max_4(d0, d1, d2, d3), 0); FZ_VNNI_RUN_STORE(1, fz_avx512_max_4(d4, d5, d6, d7), 1);
            }
            continue;
        }
        FZ_VNNI_RUN_STORE(0, a0, 0); FZ_VNNI_RUN_STORE(0, a1, 1); FZ_VNNI_RUN_STORE(0, a2, 2); FZ_VNNI_RUN_STORE(0, a3, 3);
        FZ_VNNI_RUN_STORE(0, a4, 4); FZ_VNNI_RUN_STORE(0, a5, 5); FZ_VNNI_RUN_STORE(0, a6, 6); FZ_VNNI_RUN_STORE(0, a7, 7);
        if (groups > 1) {
            FZ_VNNI_RUN_STORE(1, d0, 0); FZ_VNNI_RUN_STORE(1, d1, 1); FZ_VNNI_RUN_STORE(1, d2, 2); FZ_VNNI_RUN_STORE(1, d3, 3);
            FZ_VNNI_RUN_STORE(1, d4, 4); FZ_VNNI_RUN_STORE(1, d5, 5); FZ_VNNI_RUN_STORE(1, d6, 6); FZ_VNNI_RUN_STORE(1, d7, 7);
        }
    }
    if (t < tiles) {
        fz_avx512vnni_tile(w, group_stride, groups, x, t * x_step, rows, quads, bias, r, out + t * out_step, pixel_stride, 4,
                           channels, 0);
    }
}
#undef FZ_VNNI_RUN_STORE

/* One chunk of fz_avx512vnni_conv_run (FZ_RUN_CHUNKS): `count` tiles, every row pointer of
 * tile t at xt[i] + t * x_step, into tile_out, out_step bytes a tile. fz_avx512vnni_run with
 * `groups` (1 or 2) a constant in each case; with 3 or 4 the tiles one after the other,
 * fz_avx512vnni_tile with the constant (through fz_avx512vnni_conv_tile's switch it was
 * measurably slower). Not inlined into the chunk loop: there its values spilled around the
 * pass (docs/kernels.md, "One run for every ISA"). */
FZ_AVX512VNNI __attribute__((noinline))
static inline void fz_avx512vnni_chunk(
    const int8_t *w, intptr_t group_stride, intptr_t groups, const int8_t *const *xt, intptr_t rows, intptr_t quads,
    const int32_t *bias, const fz_requantization *r, int8_t *tile_out, intptr_t pixel_stride, intptr_t channels,
    intptr_t count, intptr_t x_step, intptr_t out_step) {
    if (groups == 1) {
        fz_avx512vnni_run(w, group_stride, 1, xt, rows, quads, bias, r, tile_out, pixel_stride, channels, count, x_step, out_step);
    } else if (groups == 2) {
        fz_avx512vnni_run(w, group_stride, 2, xt, rows, quads, bias, r, tile_out, pixel_stride, channels, count, x_step, out_step);
    } else if (groups == 3) {
        FZ_RUN_TILES(fz_avx512vnni_tile(w, group_stride, 3, xt, offset, rows, quads, bias, r, tile_out, pixel_stride, 4, channels, 0))
    } else {
        FZ_RUN_TILES(fz_avx512vnni_tile(w, group_stride, 4, xt, offset, rows, quads, bias, r, tile_out, pixel_stride, 4, channels, 0))
    }
}

/* fz_conv_run_fn on x86-64: FZ_RUN_CHUNKS over fz_avx512vnni_chunk. Called only when
 * fz_x86_kernel() == 2. */
FZ_AVX512VNNI static inline fz_conv_run_fn fz_avx512vnni_conv_run;
FZ_AVX512VNNI
static inline void fz_avx512vnni_conv_run(
    const int8_t *w, intptr_t group_stride, intptr_t groups, const int8_t *const *x, intptr_t rows, intptr_t quads,
    const int32_t *bias, const fz_requantization *r, int8_t *out, intptr_t pixel_stride, intptr_t channels,
    intptr_t tiles, intptr_t x_step, const int8_t *fixed) {
    FZ_RUN_CHUNKS(fz_avx512vnni_chunk(w, group_stride, groups, xt, rows, quads, bias, r, tile_out, pixel_stride, channels, count,
                                      x_step, out_step));
}

#undef FZ_AVX512VNNI

#endif /* FZ_X86_AVX512VNNI_H */

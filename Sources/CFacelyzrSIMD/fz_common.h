/*
 * What every ISA's conv2D kernels share: the requantisation handed to a tile, the one
 * signature of the quad tiles and runs (fz_conv_tile_fn, fz_conv_run_fn), and the body of
 * every run (FZ_RUN). Include facelyzr_simd.h, not this file. Layouts, which kernel runs
 * which op and how each is proven bit-exact: docs/kernels.md.
 */
#ifndef FZ_COMMON_H
#define FZ_COMMON_H

#include <stdint.h>

/* Per-channel double-rounding requantisation of a conv2D tile: the packed buffer's multipliers,
 * left shifts and right shifts as min(shift, 0) at the tile's first channel, and the output
 * stage of requantizeToInt8. */
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

/* An element-wise add of two int8 tensors (AddParameters, docs/quantization.md "Add"): each
 * input less its zero point, shifted left by 20, requantised (double rounding, shifts <= 0);
 * the sum requantised with the output's multiplier and shift, plus its zero point, clamped. */
typedef struct {
    int32_t zero_point1, multiplier1, shift1;
    int32_t zero_point2, multiplier2, shift2;
    int32_t output_multiplier, output_shift, output_zero_point, output_min, output_max;
} fz_add_parameters;

/* `blocks` x 16 elements of an add, out[i] from a[i] and b[i] (fz_avx2_add, fz_neon_add). */
typedef void fz_add_fn(const fz_add_parameters *p, const int8_t *a, const int8_t *b, int8_t *out, intptr_t blocks);

/* Kernel rows a quad tile takes at most (Fast.quadMaximumRows). */
#define FZ_QUAD_MAXIMUM_ROWS 32

/* One quad tile, every ISA (fz_avx512vnni_conv_tile, fz_neon_sdot_conv_tile,
 * fz_neon_smull_conv_tile): 4 output pixels x `groups` (1 to 4) blocks of 16 channels, layout
 * of docs/kernels.md "Quads". The accumulator of pixel p, channel 16 g + c is bias[16 g + c] +
 * the sum over kernel rows r < `rows` and quads q < `quads` of
 * sum_j w[g][r][q][c][j] * x[4 r + p][4 q + j]: x[4 r + p] points to pixel p's kernel row r
 * (4 * quads bytes), `w` holds int8 [group][row][quad][16 channels][4], `group_stride` bytes
 * between groups, and the packed bias folds the input zero point (x86-64 also the + 128 of
 * vpdpbusd). Products and sums wrap as the reference's &* and &+. With `r` the first `pixels`
 * pixels and `channels` channels are requantised into out + p * pixel_stride (with r->max_pool
 * the one pooled pixel of the 4); without `r` (single rounding) the accumulators go to
 * acc + 64 p + 16 g for the caller's scalar requantisation. */
typedef void fz_conv_tile_fn(
    const int8_t *w, intptr_t group_stride, intptr_t groups, const int8_t *const *x, intptr_t rows,
    intptr_t quads, const int32_t *bias, const fz_requantization *r, int8_t *out, intptr_t pixel_stride,
    intptr_t pixels, intptr_t channels, int32_t *acc);

/* `tiles` full quad tiles along an output row, double rounding (fz_avx512vnni_conv_run,
 * fz_neon_sdot_conv_run, fz_neon_smull_conv_run): the arguments of fz_conv_tile_fn for the
 * first tile; each next tile's row pointers advance by x_step bytes, except those equal to
 * `fixed` (the row of zero points: kernel rows above or below the input), and its output by 4
 * pixels (1 with r->max_pool). */
typedef void fz_conv_run_fn(
    const int8_t *w, intptr_t group_stride, intptr_t groups, const int8_t *const *x, intptr_t rows,
    intptr_t quads, const int32_t *bias, const fz_requantization *r, int8_t *out, intptr_t pixel_stride,
    intptr_t channels, intptr_t tiles, intptr_t x_step, const int8_t *fixed);

/* The body of every fz_conv_run_fn (its arguments in scope). Row pointers equal to `fixed`
 * read instead a local row of zero points long enough to advance with the others, so every
 * pointer of tile t is x[i] + t * x_step: no per-pointer step to keep or test. The tiles go in
 * chunks when that row would exceed FZ_RUN_ZERO_ROW bytes (one chunk when no pointer is
 * `fixed`). CHUNK_CALL runs `count` tiles from row pointers `xt` into `tile_out`, the output
 * advancing `out_step` bytes a tile. xt is a local copy (fewer aarch64 instructions than
 * reading x itself), the first chunk's made in the loop that looks for `fixed`; the
 * measurements and the x86-64 chunk: docs/kernels.md, "One run for every ISA". */
#define FZ_RUN_ZERO_ROW 2048
#define FZ_RUN_CHUNKS(CHUNK_CALL) do { \
        const int8_t *xt[4 * FZ_QUAD_MAXIMUM_ROWS]; \
        int8_t zeros[FZ_RUN_ZERO_ROW]; \
        intptr_t chunk = tiles; \
        int any_fixed = 0; \
        for (intptr_t i = 0; i < 4 * rows; i++) { \
            any_fixed |= x[i] == fixed; \
            xt[i] = x[i] == fixed ? zeros : x[i]; \
        } \
        if (any_fixed) { \
            intptr_t room = (FZ_RUN_ZERO_ROW - 4 * quads) / x_step + 1; \
            if (room < chunk) chunk = room; \
            intptr_t length = 4 * quads + (chunk - 1) * x_step; \
            for (intptr_t i = 0; i < length; i++) zeros[i] = fixed[0]; \
        } \
        const intptr_t out_step = (r->max_pool ? 1 : 4) * pixel_stride; \
        for (intptr_t first = 0; first < tiles; first += chunk) { \
            if (first > 0) { \
                for (intptr_t i = 0; i < 4 * rows; i++) xt[i] = x[i] == fixed ? zeros : x[i] + first * x_step; \
            } \
            int8_t *tile_out = out + first * out_step; \
            intptr_t count = tiles - first < chunk ? tiles - first : chunk; \
            CHUNK_CALL; \
        } \
    } while (0)

/* Inside FZ_RUN_CHUNKS: the chunk's tiles one after the other, TILE_CALL reading row pointers
 * xt[i] + offset and writing tile_out. */
#define FZ_RUN_TILES(TILE_CALL) \
    for (intptr_t offset = 0; offset < count * x_step; offset += x_step) { \
        TILE_CALL; \
        tile_out += out_step; \
    }

/* A run whose tiles go one after the other (every aarch64 run, x86-64 with 3 or 4 blocks). */
#define FZ_RUN(TILE_CALL) FZ_RUN_CHUNKS(FZ_RUN_TILES(TILE_CALL))

/* The 4 bytes at p as one int32 (any alignment). */
static inline int32_t fz_load_i32(const int8_t *p) {
    int32_t v;
    __builtin_memcpy(&v, p, 4);
    return v;
}

#endif /* FZ_COMMON_H */

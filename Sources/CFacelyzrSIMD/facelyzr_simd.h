/*
 * Header-only intrinsics of the runtime's fast kernels (Sources/FacelyzrRuntime/Kernels/Fast):
 * static inline, no library, no state. The module's one header: it includes the per-ISA
 * headers the target can compile, and each function exists only there; the Swift kernels keep
 * their portable loops for every other target. Every variant is bit-exact with Reference
 * (int32 products and sums wrap exactly as the portable loop's &+ and &*). Layouts, which
 * kernel runs which op, and how each is proven: docs/kernels.md.
 *
 *   fz_common.h           every ISA: fz_requantization, the tile and run signatures, FZ_RUN
 *   fz_x86_sse2_avx2.h    x86-64: cpuid detection; int16 pairs with pmaddwd; AVX2 requantisation
 *   fz_x86_avx512vnni.h   x86-64 AVX-512 VNNI: quad tiles and runs, gather, fully connected dot
 *   fz_x86_vbmi_lanes.h   x86-64 AVX-512 VNNI + VBMI: pixel lanes for small receptive fields
 *   fz_neon_common.h      aarch64: int8 rows, NEON requantisation, what both quad-tile forms share
 *   fz_neon_smull.h       aarch64 ARMv8.0: quad tiles and runs with smull/smlal/sadalp
 *   fz_neon_sdot.h        aarch64 ARMv8.2 dot product: quad tiles and runs with indexed sdot
 */
#ifndef FACELYZR_SIMD_H
#define FACELYZR_SIMD_H

#include "fz_common.h"

#if defined(__SSE2__)
#include "fz_x86_sse2_avx2.h"
#include "fz_x86_avx512vnni.h"
#include "fz_x86_vbmi_lanes.h"
#endif

#if defined(__aarch64__) && defined(__ARM_NEON)
#include "fz_neon_common.h"
#include "fz_neon_smull.h"
#include "fz_neon_sdot.h"
#endif

#endif /* FACELYZR_SIMD_H */

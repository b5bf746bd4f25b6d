/* vpdpbusd throughput on this CPU (x86-64 with AVX-512 VNNI), to judge how close the conv2D
 * kernels come to it (docs/benchmarks.md, "Not done"): 16 independent accumulators, and
 * (a) nothing else, (b) the quad tiles' mix of a two-block run: 8 pixel quads broadcast (XOR 0x80
 * folded, vpxord with a broadcast memory operand) and 2 weight loads per 16 vpdpbusd.
 * Build and run: bash tools/benchmarks/vnni-peak.sh */
#include <immintrin.h>
#include <stdint.h>
#include <stdio.h>
#include <time.h>

static int8_t buffer[4096] __attribute__((aligned(64)));

static double seconds(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

/* One pixel p of the run: its quad (broadcast in `mix`) times both blocks' weights. */
#define PIXEL(p) { \
        __m512i v = u; \
        if (mix) __asm__("vpxord %1%{1to16%}, %2, %0" : "=v"(v) : "m"(*(const int32_t *)(const void *)(q + 4 * (p))), "v"(flip)); \
        a##p = _mm512_dpbusd_epi32(a##p, v, w0); b##p = _mm512_dpbusd_epi32(b##p, v, w1); \
    }

/* vpdpbusd per nanosecond over `n` steps of 16 (8 pixels x 2 blocks of 16 channels, 16
 * accumulators); `mix` 0: the same operands in registers, 1: the run's broadcasts and loads. */
__attribute__((target("avx512f,avx512bw,avx512vnni"), noinline))
static double rate(long n, int mix) {
    __m512i a0 = _mm512_setzero_si512(), a1 = a0, a2 = a0, a3 = a0, a4 = a0, a5 = a0, a6 = a0, a7 = a0;
    __m512i b0 = a0, b1 = a0, b2 = a0, b3 = a0, b4 = a0, b5 = a0, b6 = a0, b7 = a0;
    const __m512i flip = _mm512_set1_epi8((char)0x80);
    __m512i u = _mm512_set1_epi8(3), w0 = _mm512_set1_epi8(5), w1 = _mm512_set1_epi8(7);
    const double start = seconds();
    for (long k = 0; k < n; k++) {
        const int8_t *q = buffer + (k & 15) * 64;
        if (mix) {
            w0 = _mm512_loadu_si512(q + 1024);
            w1 = _mm512_loadu_si512(q + 2048);
        }
        PIXEL(0) PIXEL(1) PIXEL(2) PIXEL(3) PIXEL(4) PIXEL(5) PIXEL(6) PIXEL(7)
        __asm__ volatile("" : "+v"(u));
    }
    const double elapsed = seconds() - start;
    __m512i s = _mm512_add_epi32(_mm512_add_epi32(_mm512_add_epi32(a0, a1), _mm512_add_epi32(a2, a3)),
                                 _mm512_add_epi32(_mm512_add_epi32(a4, a5), _mm512_add_epi32(a6, a7)));
    s = _mm512_add_epi32(s, _mm512_add_epi32(_mm512_add_epi32(_mm512_add_epi32(b0, b1), _mm512_add_epi32(b2, b3)),
                                             _mm512_add_epi32(_mm512_add_epi32(b4, b5), _mm512_add_epi32(b6, b7))));
    buffer[0] = (int8_t)_mm512_reduce_add_epi32(s);
    return 16.0 * (double)n / elapsed / 1e9;
}

int main(void) {
    const long n = 20000000;
    for (int round = 0; round < 3; round++) {
        printf("vpdpbusd zmm per ns: registers only %.2f, with the run's broadcasts and loads %.2f\n", rate(n, 0), rate(n, 1));
    }
    return 0;
}

#!/usr/bin/env python3
"""Independent oracle of Facelyzr's numeric contract (docs/quantization.md).

Written from the formulas of docs/quantization.md, not from the Swift code: every rounding is
computed with exact rationals (fractions.Fraction) or Python integers, every op as its
mathematical definition (real-valued taps, zero padding in the real domain).

    python3 tools/oracle/oracle.py            # writes Tests/FacelyzrRuntimeTests/Golden/*.json
    python3 tools/oracle/oracle.py --check    # regenerates in memory, fails on any difference
    python3 tools/oracle/oracle.py --sigmoid-error   # measures the runtime sigmoid's error
"""
import argparse
import json
import math
import os
import sys
from fractions import Fraction

import numpy as np

INT32_MIN, INT32_MAX = -(2**31), 2**31 - 1
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
GOLDEN_DIR = os.path.join(ROOT, "Tests", "FacelyzrRuntimeTests", "Golden")


# --- Rounding primitives (docs/quantization.md "Rounding") ------------------------------------

def floor_half_up(v: Fraction) -> int:
    """Nearest integer, ties toward +infinity."""
    return math.floor(v + Fraction(1, 2))


def round_half_away(v: Fraction) -> int:
    """Nearest integer, ties away from zero."""
    n = math.floor(abs(v) + Fraction(1, 2))
    return n if v >= 0 else -n


def saturate32(v: int) -> int:
    return max(INT32_MIN, min(INT32_MAX, v))


def wrap32(v: int) -> int:
    """Two's-complement int32 arithmetic (the accumulator, docs "Accumulation")."""
    return (v + 2**31) % 2**32 - 2**31


# --- Multiplier and shift (docs "Multiplier and shift") ----------------------------------------

def quantize_multiplier(real: float) -> tuple:
    if real == 0:
        return 0, 0
    q, e = math.frexp(real)                      # real = q * 2^e, 0.5 <= |q| < 1
    m = round_half_away(Fraction(q) * 2**31)
    if m == 2**31:
        m //= 2
        e += 1
    if e < -31:
        return 0, 0
    return m, e


def effective_scale(s_in: float, s_w: float, s_out: float) -> float:
    f32 = lambda v: float(np.float32(v))
    return f32(s_in) * f32(s_w) / f32(s_out)


# --- Requantization (docs "Requantization") ----------------------------------------------------

def srdhm(a: int, b: int) -> int:
    """SaturatingRoundingDoublingHighMul: round(a*b / 2^31), ties toward +inf, saturating."""
    return saturate32(floor_half_up(Fraction(a * b, 2**31)))


def rdbpot(x: int, exponent: int) -> int:
    """RoundingDivideByPOT: round(x / 2^exponent), ties away from zero."""
    return round_half_away(Fraction(x, 2**exponent))


def requantize_double(acc: int, m: int, shift: int) -> int:
    left, right = max(shift, 0), max(-shift, 0)
    return rdbpot(srdhm(saturate32(acc * 2**left), m), right)


def requantize_single(acc: int, m: int, shift: int) -> int:
    # (x*M + 2^(30-shift)) >> (31-shift) = floor(x*M / 2^(31-shift) + 1/2)
    return saturate32(floor_half_up(Fraction(acc * m, 2**(31 - shift))))


def requantize(acc: int, m: int, shift: int, rounding: int) -> int:
    return requantize_double(acc, m, shift) if rounding == 0 else requantize_single(acc, m, shift)


def output_stage(acc, m, shift, rounding, zp_out, lo, hi) -> int:
    return max(lo, min(hi, requantize(acc, m, shift, rounding) + zp_out))


def rounded_average(total: int, count: int) -> int:
    return round_half_away(Fraction(total, count))


# --- Sigmoid (docs "Sigmoid"): the float32 algorithm, one IEEE operation at a time ------------

F = np.float32
SIGMOID_BITS = dict(half=0x3F000000, log2e=0x3FB8AA3B, ln2_high=0x3F317200, ln2_low=0x35BFBE8E,
                    c=[0x3F800000, 0x3F800000, 0x3F000000, 0x3E2AAAAB, 0x3D2AAAAB, 0x3C088889,
                       0x3AB60B61, 0x39500D01])


def f32_from_bits(bits):
    return np.array(bits, dtype=np.uint32).view(np.float32)


def exponential_f32(t: np.ndarray) -> np.ndarray:
    """e^t for float32 t <= 0 (docs "Sigmoid", steps 2-5); t <= -86 gives 0. Vectorised."""
    t = np.asarray(t, dtype=np.float32)
    b = SIGMOID_BITS
    half, log2e = f32_from_bits(b["half"]), f32_from_bits(b["log2e"])
    ln2h, ln2l = f32_from_bits(b["ln2_high"]), f32_from_bits(b["ln2_low"])
    c = f32_from_bits(b["c"])
    inside = t > F(-86)
    t = np.where(inside, t, F(0)).astype(np.float32)
    k = -np.trunc((half - t * log2e).astype(np.float32)).astype(np.int32)
    kf = k.astype(np.float32)
    r = ((t - kf * ln2h).astype(np.float32) - kf * ln2l).astype(np.float32)
    p = np.full_like(r, c[7])
    for coefficient in c[6::-1]:
        p = (p * r).astype(np.float32) + coefficient
    two_k = ((k + 127).astype(np.uint32) << 23).view(np.float32)
    return np.where(inside, (p * two_k).astype(np.float32), F(0)).astype(np.float32)


def sigmoid_f32(x: np.ndarray) -> np.ndarray:
    """Vectorised over float32 arrays; numpy applies each operation per element in IEEE float32."""
    x = np.asarray(x, dtype=np.float32)
    mag = np.abs(x)
    inside = mag < F(86)
    e = exponential_f32(np.where(inside, -mag, F(0)).astype(np.float32))
    one = F(1)
    y = np.where(x >= 0, one / (one + e), e / (one + e)).astype(np.float32)
    return np.where(inside, y, np.where(x > 0, one, F(0))).astype(np.float32)


def softmax_head(accs, scale_bits, value_bits):
    """A softmax / expected-value head (docs "Softmax and expected value"): real values
    Float(acc) * scale; the first largest; S = e_0 + e_1 + ... in order; p_i = e_i / S;
    E = p_0 * b_0 + p_1 * b_1 + ... in order from 0. Every operation one float32 rounding."""
    v = [F(F(a) * f32_from_bits(s)) for a, s in zip(accs, scale_bits)]
    argmax = 0
    for i in range(1, len(v)):
        if v[i] > v[argmax]:
            argmax = i
    m = v[argmax]
    e = [exponential_f32(F(x - m))[()] for x in v]
    total = F(0)
    for x in e:
        total = F(total + x)
    p = [F(x / total) for x in e]
    expected = F(0)
    for pi, b in zip(p, value_bits):
        expected = F(expected + F(pi * f32_from_bits(b)))
    bits = lambda x: int(np.float32(x).view(np.uint32))
    return argmax, [bits(x) for x in p], bits(expected)


def dequantize_head(acc: int, scale_bits: int) -> int:
    y = np.float32(acc) * f32_from_bits(scale_bits)
    return int(np.float32(y).view(np.uint32))


# --- Ops (docs "Ops"), each written as its definition ---------------------------------------

def padding(size, kernel, stride, same):
    if same:
        out = -(-size // stride)
        return out, max((out - 1) * stride + kernel - size, 0) // 2
    return (size - kernel) // stride + 1 if size >= kernel else 0, 0


def conv_accumulators(x, w, bias, zp_in, stride, pad, out_hw, depthwise, wrap=wrap32):
    """x: HWC int8 (or int16); w: OHWI (conv) or HWC (depthwise). Taps outside the image are real
    zero. `wrap`: the int32 accumulator's wrap-around, or `int` for the 16x8 ops' int64 (exact)."""
    h, wd, c = x.shape
    kh, kw = (w.shape[0], w.shape[1]) if depthwise else (w.shape[1], w.shape[2])
    real = x.astype(np.int64) - zp_in
    padded = np.zeros((h + kh + stride[0] * out_hw[0], wd + kw + stride[1] * out_hw[1], c), np.int64)
    padded[pad[0]:pad[0] + h, pad[1]:pad[1] + wd] = real
    outs = []
    for oy in range(out_hw[0]):
        for ox in range(out_hw[1]):
            window = padded[oy * stride[0]:oy * stride[0] + kh, ox * stride[1]:ox * stride[1] + kw]
            if depthwise:
                outs.append((window * w).sum(axis=(0, 1)) + bias)
            else:
                outs.append(np.tensordot(w.astype(np.int64), window, axes=([1, 2, 3], [0, 1, 2])) + bias)
    return [[wrap(int(v)) for v in row] for row in outs]


def requantize_all(accs, channels, mult, shift, rounding, zp_out, lo, hi):
    return [output_stage(a, mult[ch], shift[ch], rounding, zp_out, lo, hi)
            for row in accs for ch, a in enumerate(row)]


def max_pool(x, oh, ow):
    return [int(x[2 * oy:2 * oy + 2, 2 * ox:2 * ox + 2, ch].max())
            for oy in range(oh) for ox in range(ow) for ch in range(x.shape[2])]


def max_pool_window(x, kernel, stride, pad, out_hw, clamp):
    """k x k / stride s max pool (docs "Max pool", TFLite MAX_POOL_2D int8): the largest stored
    value among the window's cells inside the input, then the clamp."""
    h, w, c = x.shape
    out = []
    for oy in range(out_hw[0]):
        for ox in range(out_hw[1]):
            y0, x0 = oy * stride[0] - pad[0], ox * stride[1] - pad[1]
            window = x[max(y0, 0):min(y0 + kernel[0], h), max(x0, 0):min(x0 + kernel[1], w)]
            out += [min(max(int(window[:, :, ch].max()), clamp[0]), clamp[1]) for ch in range(c)]
    return out


def average_pool(x, oh, ow):
    return [rounded_average(int(x[2 * oy:2 * oy + 2, 2 * ox:2 * ox + 2, ch].astype(np.int64).sum()), 4)
            for oy in range(oh) for ox in range(ow) for ch in range(x.shape[2])]


def global_average_pool(x):
    h, w, c = x.shape
    return [rounded_average(int(x[:, :, ch].astype(np.int64).sum()), h * w) for ch in range(c)]


def add_requantization(s1, s2, s_out):
    """TFLite ADD's factors (docs "Add"): s_i / (2 max), 2 max / (2^20 s_out), from float32 scales."""
    f32 = lambda v: float(np.float32(v))
    twice = 2 * max(f32(s1), f32(s2))
    return [quantize_multiplier(f32(s1) / twice), quantize_multiplier(f32(s2) / twice),
            quantize_multiplier(twice / (2**20 * f32(s_out)))]


def add(x1, x2, zp1, zp2, requantization, zp_out, lo, hi):
    """Element-wise add (docs "Add"): inputs less zero points times 2^20, each scaled, summed, scaled."""
    (m1, s1), (m2, s2), (mo, so) = requantization
    out = []
    for a, b in zip(x1, x2):
        total = requantize_double((a - zp1) * 2**20, m1, s1) + requantize_double((b - zp2) * 2**20, m2, s2)
        out.append(output_stage(total, mo, so, 0, zp_out, lo, hi))
    return out


def pad(x, before, after, zp, values=None):
    """Pad (docs "Pad"): x (H, W, C) inside, the zero point (real zero) around it, or with
    `values` (one per output channel) each padded cell its channel's value."""
    (t, l, c0), (b, r, c1) = before, after
    h, w, c = x.shape
    y = np.full((t + h + b, l + w + r, c0 + c + c1), zp, np.int64)
    if values is not None:
        y[:, :, :] = np.array(values, np.int64)
    y[t:t + h, l:l + w, c0:c0 + c] = x
    return y


def fc_accumulators(x, w, bias, zp_in):
    real = x.astype(np.int64) - zp_in
    return [wrap32(int(np.dot(w[o].astype(np.int64), real)) + int(bias[o])) for o in range(w.shape[0])]


# --- 16-bit activations (docs "16-bit activations"): TFLite's 16x8 ops -----------------------

INT16_MIN, INT16_MAX = -(2**15), 2**15 - 1
WIDE_BIAS = 2**46


def multiply_by_quantized_multiplier_64(x: int, m: int, shift: int) -> int:
    """TFLite's MultiplyByQuantizedMultiplier(int64_t x, ...): the Q31 multiplier reduced to Q15
    (ties up, capped at 0x7FFF), then x * reduced / 2^(15 - shift) rounded once, ties toward +inf."""
    reduced = min(floor_half_up(Fraction(m, 2**16)), 0x7FFF) if m < 0x7FFF0000 else 0x7FFF
    return floor_half_up(Fraction(x * reduced, 2**(15 - shift)))


def wide_output_stage(acc, m, shift, zp_out, lo, hi) -> int:
    """The 16x8 output stage: the rescaled accumulator plus the output zero point, clamped."""
    return max(lo, min(hi, multiply_by_quantized_multiplier_64(acc, m, shift) + zp_out))


def wide_add(x1, x2, requantization, lo, hi):
    """TFLite ADD int16 with general scales: inputs (zero point 0) times 2^15, each scaled,
    summed, scaled; double rounding as the int8 add (docs "Add")."""
    (m1, s1), (m2, s2), (mo, so) = requantization
    out = []
    for a, b in zip(x1, x2):
        total = requantize_double(a * 2**15, m1, s1) + requantize_double(b * 2**15, m2, s2)
        out.append(max(lo, min(hi, requantize_double(total, mo, so))))
    return out


def hexints(values, bits):
    """Little-endian bytes of int8 or int16 values, as hex."""
    return b"".join(int(v).to_bytes(bits // 8, "little", signed=True) for v in values).hex()


def random_values(rng, n, bits):
    return rng.int8s(n) if bits == 8 else rng.int8s(n, INT16_MIN, INT16_MAX)


def random_wide_requantization(rng, channels):
    mult, shift = [], []
    for _ in range(channels):
        kind = rng.int(0, 9)
        if kind == 0:
            m, s = 0, 0
        elif kind == 1:
            m, s = rng.pick([2**15 - 1, 2**15, 0x7FFF0000 - 1, 0x7FFF0000, 2**31 - 1]), rng.pick([-31, 7, -1, 0, 1])
        elif kind == 2:
            m, s = rng.int(2**30, 2**31 - 1), rng.int(-31, 7)
        else:  # realistic: effective scales of 2^-24 .. 2^2 (int8 -> int16 layers reach 2^8 and more)
            m, s = quantize_multiplier(2.0 ** (rng.int(-24_000, 2_000) / 1000))
        mult.append(m)
        shift.append(s)
    return mult, shift


def random_wide_clamp(rng, bits, zp_out):
    lo, hi = (-128, 127) if bits == 8 else (INT16_MIN, INT16_MAX)
    kind = rng.int(0, 2)
    if kind == 0:
        return lo, hi
    if kind == 1:
        return max(zp_out, lo), hi                               # ReLU
    return max(zp_out, lo), min(hi, zp_out + rng.int(0, (hi - lo) // 2))


def random_wide_bias(rng, n):
    return [rng.pick([rng.int(-1000, 1000), rng.int(-2**31, 2**31), rng.int(-2**40, 2**40), rng.pick([-WIDE_BIAS, WIDE_BIAS])])
            for _ in range(n)]


def wide_types(rng):
    """(input bits, output bits): mostly int16 -> int16, also the int8 <-> int16 boundaries."""
    return rng.pick([(16, 16), (16, 16), (8, 16), (16, 8)])


def random_wide_conv_case(rng, depthwise):
    bits_in, bits_out = wide_types(rng)
    while True:
        h, w = rng.int(1, 7), rng.int(1, 7)
        c_in = rng.int(1, 5)
        kh, kw = (3, 3) if depthwise else (rng.int(1, 7), rng.int(1, 7))
        sh, sw = rng.int(1, 2), rng.int(1, 2)
        same = rng.int(0, 1) == 1
        (oh, pt), (ow, pl) = padding(h, kh, sh, same), padding(w, kw, sw, same)
        if oh > 0 and ow > 0:
            break
    c_out = c_in if depthwise else rng.int(1, 5)
    zp_in = random_zero_point(rng) if bits_in == 8 else 0
    zp_out = random_zero_point(rng) if bits_out == 8 else 0
    lo, hi = random_wide_clamp(rng, bits_out, zp_out)
    x = np.array(random_values(rng, h * w * c_in, bits_in), np.int64).reshape(h, w, c_in)
    wflat, warr = random_conv_weights(rng, depthwise, c_out, kh, kw, c_in)
    bias = random_wide_bias(rng, c_out)
    mult, shift = random_wide_requantization(rng, c_out)
    accs = conv_accumulators(x, warr, np.array(bias, np.int64), zp_in, (sh, sw), (pt, pl), (oh, ow), depthwise, wrap=int)
    out = [wide_output_stage(a, mult[ch], shift[ch], zp_out, lo, hi) for row in accs for ch, a in enumerate(row)]
    return dict(bits=[bits_in, bits_out], input=[h, w, c_in], output=[oh, ow, c_out], kernel=[kh, kw], stride=[sh, sw],
                padding="same" if same else "valid", pad=[pt, pl], zeroPoints=[zp_in, zp_out], clamp=[lo, hi],
                x=hexints(x.flatten().tolist(), bits_in), weights=hexbytes(wflat), bias=bias, multipliers=mult, shifts=shift,
                y=hexints(out, bits_out))


def random_wide_fc_case(rng, accumulators_only):
    bits_in, bits_out = wide_types(rng)
    n_in, n_out = rng.int(1, 40), rng.int(1, 8)
    zp_in = random_zero_point(rng) if bits_in == 8 else 0
    zp_out = random_zero_point(rng) if bits_out == 8 else 0
    lo, hi = random_wide_clamp(rng, bits_out, zp_out)
    x = np.array(random_values(rng, n_in, bits_in), np.int64)
    wflat = random_weights(rng, n_out, n_in)
    bias = random_wide_bias(rng, n_out)
    mult, shift = random_wide_requantization(rng, n_out)
    w = np.array(wflat, np.int64).reshape(n_out, n_in)
    accs = [int(np.dot(w[o], x - zp_in)) + bias[o] for o in range(n_out)]
    case = dict(bits=[bits_in, bits_out], inputCount=n_in, outputCount=n_out, zeroPoints=[zp_in, zp_out], clamp=[lo, hi],
                x=hexints(x.tolist(), bits_in), weights=hexbytes(wflat), bias=bias, multipliers=mult, shifts=shift)
    if accumulators_only:
        case["accumulators"] = [saturate32(a) for a in accs]    # a head's int64 sums, saturated to int32
    else:
        case["y"] = hexints([wide_output_stage(a, mult[o], shift[o], zp_out, lo, hi) for o, a in enumerate(accs)], bits_out)
    return case


def random_wide_add_case(rng):
    h, w, c = rng.int(1, 5), rng.int(1, 5), rng.int(1, 9)
    lo, hi = random_wide_clamp(rng, 16, 0)
    if rng.int(0, 3) == 0:  # extremes: any multiplier, any shift the validator takes
        requantization = [(rng.pick([0, 2**30, 2**31 - 1, rng.int(0, 2**31 - 1)]), rng.pick([-31, 0, rng.int(-31, 0)]))
                          for _ in range(3)]
    else:  # realistic: scales 2^-18 .. 2^-8, TFLite's factors with the int16 left shift
        f32 = lambda v: float(np.float32(v))
        s1, s2, s_out = (f32(2.0 ** (rng.int(-18_000, -8_000) / 1000)) for _ in range(3))
        twice = 2 * max(s1, s2)
        requantization = [quantize_multiplier(s1 / twice), quantize_multiplier(s2 / twice),
                          quantize_multiplier(twice / (2**15 * s_out))]
        if requantization[2][1] > 0:
            requantization[2] = (requantization[2][0], 0)
    x1, x2 = random_values(rng, h * w * c, 16), random_values(rng, h * w * c, 16)
    return dict(shape=[h, w, c], clamp=[lo, hi], multipliers=[m for m, _ in requantization],
                shifts=[s for _, s in requantization], x1=hexints(x1, 16), x2=hexints(x2, 16),
                y=hexints(wide_add(x1, x2, requantization, lo, hi), 16))


def random_wide_pool_case(rng, kind):
    if kind == "max":
        while True:
            h, w, c = rng.int(1, 12), rng.int(1, 12), rng.int(1, 6)
            kh, kw = rng.pick([3, rng.int(1, 7)]), rng.pick([3, rng.int(1, 7)])
            sh, sw = rng.int(1, 3), rng.int(1, 3)
            same = rng.int(0, 1) == 1
            (oh, pt), (ow, pl) = padding(h, kh, sh, same), padding(w, kw, sw, same)
            if oh > 0 and ow > 0:
                break
        lo, hi = random_wide_clamp(rng, 16, 0)
        x = np.array(random_values(rng, h * w * c, 16), np.int64).reshape(h, w, c)
        y = max_pool_window(x, (kh, kw), (sh, sw), (pt, pl), (oh, ow), (lo, hi))
        return dict(input=[h, w, c], output=[oh, ow, c], kernel=[kh, kw], stride=[sh, sw], pad=[pt, pl], clamp=[lo, hi],
                    x=hexints(x.flatten().tolist(), 16), y=hexints(y, 16))
    h, w, c = rng.int(1, 8), rng.int(1, 8), rng.int(1, 6)
    if kind == "average":
        h, w = max(h, 2), max(w, 2)
    x = np.array(random_values(rng, h * w * c, 16), np.int64).reshape(h, w, c)
    y = average_pool(x, h // 2, w // 2) if kind == "average" else global_average_pool(x)
    return dict(input=[h, w, c], x=hexints(x.flatten().tolist(), 16), y=hexints(y, 16))


def random_wide_pad_case(rng):
    h, w, c = rng.int(1, 6), rng.int(1, 6), rng.int(1, 9)
    before = [rng.pick([0, 0, 1, rng.int(0, 4)]) for _ in range(3)]
    after = [rng.pick([0, 0, 1, rng.int(0, 4)]) for _ in range(3)]
    x = np.array(random_values(rng, h * w * c, 16), np.int64).reshape(h, w, c)
    y = pad(x, before, after, 0)
    return dict(input=[h, w, c], before=before, after=after, x=hexints(x.flatten().tolist(), 16),
                y=hexints(y.flatten().tolist(), 16))


def wide_kernel_cases(rng):
    """The 16x8 ops (format version 5), one stream, in a file of their own (kernels16.json), so
    no earlier vector changed."""
    return dict(
        conv2D=[random_wide_conv_case(rng, False) for _ in range(60)],
        depthwiseConv2D=[random_wide_conv_case(rng, True) for _ in range(40)],
        fullyConnected=[random_wide_fc_case(rng, False) for _ in range(40)],
        fullyConnectedAccumulators=[random_wide_fc_case(rng, True) for _ in range(40)],
        add=[random_wide_add_case(rng) for _ in range(40)],
        maxPool=[random_wide_pool_case(rng, "max") for _ in range(30)],
        averagePool2x2=[random_wide_pool_case(rng, "average") for _ in range(30)],
        globalAveragePool=[random_wide_pool_case(rng, "global") for _ in range(30)],
        pad=[random_wide_pad_case(rng) for _ in range(20)],
        multiplyByQuantizedMultiplier=wide_scalar_cases(rng),
    )


def wide_scalar_cases(rng):
    """[x, multiplier, shift, result] of the int64 rescale over its whole domain."""
    xs = [0, 1, -1, 2**47 - 1, -(2**47), 12345, -12345]
    rows = []
    for x in xs:
        for m in (0, 2**15 - 1, 2**15, 2**30, 0x7FFF0000 - 1, 0x7FFF0000, 2**31 - 1):
            for shift in (-31, -16, -1, 0, 1, 7):
                rows.append([x, m, shift, multiply_by_quantized_multiplier_64(x, m, shift)])
    for _ in range(400):
        x = rng.pick([rng.int(-(2**47), 2**47 - 1), rng.int(-2**31, 2**31), rng.int(-1000, 1000)])
        m, shift = rng.int(0, 2**31 - 1), rng.int(-31, 7)
        rows.append([x, m, shift, multiply_by_quantized_multiplier_64(x, m, shift)])
    return rows


# --- Deterministic random cases --------------------------------------------------------------

class SplitMix64:
    """A tiny RNG whose stream never changes with Python or numpy versions."""

    def __init__(self, seed):
        self.state = seed & (2**64 - 1)

    def next(self):
        self.state = (self.state + 0x9E3779B97F4A7C15) & (2**64 - 1)
        z = self.state
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & (2**64 - 1)
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & (2**64 - 1)
        return z ^ (z >> 31)

    def int(self, lo, hi):
        """Uniform in [lo, hi]."""
        return lo + self.next() % (hi - lo + 1)

    def pick(self, options):
        return options[self.int(0, len(options) - 1)]

    def int8s(self, n, lo=-128, hi=127):
        # a quarter of the values at the extremes
        return [self.pick([lo, hi]) if self.int(0, 3) == 0 else self.int(lo, hi) for _ in range(n)]


def random_zero_point(rng):
    return rng.pick([-128, 127, 0, rng.int(-128, 127), rng.int(-128, 127)])


def random_requantization(rng, channels):
    mult, shift = [], []
    for _ in range(channels):
        kind = rng.int(0, 9)
        if kind == 0:
            m, s = 0, 0
        elif kind == 1:
            m, s = rng.pick([2**30, 2**31 - 1]), rng.pick([-31, 30, -1, 0, 1])
        elif kind == 2:
            m, s = rng.int(2**30, 2**31 - 1), rng.int(-31, 30)
        else:  # realistic: effective scales of 2^-16 .. 2^2
            m, s = quantize_multiplier(2.0 ** (rng.int(-16_000, 2_000) / 1000))
        mult.append(m)
        shift.append(s)
    return mult, shift


def random_clamp(rng, zp_out):
    kind = rng.int(0, 2)
    if kind == 0:
        return -128, 127
    if kind == 1:
        return zp_out, 127                                       # ReLU
    return zp_out, min(127, zp_out + rng.int(0, 100))            # ReLU6 at some scale


def random_bias(rng, n):
    return [rng.pick([rng.int(-1000, 1000), rng.int(-2**20, 2**20), rng.int(-2**24, 2**24)])
            for _ in range(n)]


def random_weights(rng, n_out, per_out):
    w = []
    for _ in range(n_out):
        if rng.int(0, 7) == 0:
            w += [0] * per_out                                   # an all-zero channel
        else:
            w += rng.int8s(per_out, -127, 127)
    return w


def random_conv_weights(rng, depthwise, c_out, kh, kw, c_in):
    """A convolution's random weights, flat and as an array: OHWI, or HWC for a depthwise one."""
    if depthwise:
        wflat = random_weights(rng, 1, kh * kw * c_in)
        return wflat, np.array(wflat, np.int64).reshape(kh, kw, c_in)
    wflat = random_weights(rng, c_out, kh * kw * c_in)
    return wflat, np.array(wflat, np.int64).reshape(c_out, kh, kw, c_in)


def hexbytes(values):
    return bytes(v & 0xFF for v in values).hex()


def random_conv_case(rng, depthwise, kernels=(1, 5), size=7):
    while True:
        h, w = rng.int(1, size), rng.int(1, size)
        c_in = rng.int(1, 5)
        kh, kw = rng.int(*kernels), rng.int(*kernels)
        sh, sw = rng.int(1, 2), rng.int(1, 2)
        same = rng.int(0, 1) == 1
        (oh, pt), (ow, pl) = padding(h, kh, sh, same), padding(w, kw, sw, same)
        if oh > 0 and ow > 0:
            break
    c_out = c_in if depthwise else rng.int(1, 5)
    zp_in, zp_out = random_zero_point(rng), random_zero_point(rng)
    lo, hi = random_clamp(rng, zp_out)
    rounding = rng.int(0, 1)
    x = np.array(rng.int8s(h * w * c_in), np.int64).reshape(h, w, c_in)
    wflat, warr = random_conv_weights(rng, depthwise, c_out, kh, kw, c_in)
    bias = random_bias(rng, c_out)
    mult, shift = random_requantization(rng, c_out)
    accs = conv_accumulators(x, warr, np.array(bias, np.int64), zp_in, (sh, sw), (pt, pl), (oh, ow), depthwise)
    out = requantize_all(accs, c_out, mult, shift, rounding, zp_out, lo, hi)
    return dict(input=[h, w, c_in], output=[oh, ow, c_out], kernel=[kh, kw], stride=[sh, sw],
                padding="same" if same else "valid", pad=[pt, pl], zeroPoints=[zp_in, zp_out],
                clamp=[lo, hi], rounding=rounding, x=hexbytes(x.flatten().tolist()),
                weights=hexbytes(wflat), bias=bias, multipliers=mult, shifts=shift, y=hexbytes(out))


def random_pool_case(rng, kind):
    h, w, c = rng.int(1, 8), rng.int(1, 8), rng.int(1, 6)
    if kind != "global":
        h, w = max(h, 2), max(w, 2)
    x = np.array(rng.int8s(h * w * c), np.int64).reshape(h, w, c)
    if kind == "max":
        y = max_pool(x, h // 2, w // 2)
    elif kind == "average":
        y = average_pool(x, h // 2, w // 2)
    else:
        y = global_average_pool(x)
    return dict(input=[h, w, c], x=hexbytes(x.flatten().tolist()), y=hexbytes(y))


def random_max_pool_case(rng):
    while True:
        h, w, c = rng.int(1, 12), rng.int(1, 12), rng.int(1, 6)
        kh, kw = rng.pick([3, rng.int(1, 7)]), rng.pick([3, rng.int(1, 7)])
        sh, sw = rng.pick([2, rng.int(1, 7)]), rng.pick([2, rng.int(1, 7)])
        same = rng.int(0, 1) == 1
        (oh, pt), (ow, pl) = padding(h, kh, sh, same), padding(w, kw, sw, same)
        if oh > 0 and ow > 0:
            break
    lo, hi = random_clamp(rng, random_zero_point(rng)) if rng.int(0, 2) == 0 else (-128, 127)
    x = np.array(rng.int8s(h * w * c), np.int64).reshape(h, w, c)
    y = max_pool_window(x, (kh, kw), (sh, sw), (pt, pl), (oh, ow), (lo, hi))
    return dict(input=[h, w, c], output=[oh, ow, c], kernel=[kh, kw], stride=[sh, sw],
                padding="same" if same else "valid", pad=[pt, pl], clamp=[lo, hi],
                x=hexbytes(x.flatten().tolist()), y=hexbytes(y))


def random_fc_case(rng, accumulators_only):
    n_in, n_out = rng.int(1, 40), rng.int(1, 8)
    zp_in, zp_out = random_zero_point(rng), random_zero_point(rng)
    lo, hi = random_clamp(rng, zp_out)
    rounding = rng.int(0, 1)
    x = np.array(rng.int8s(n_in), np.int64)
    wflat = random_weights(rng, n_out, n_in)
    bias = random_bias(rng, n_out)
    mult, shift = random_requantization(rng, n_out)
    accs = fc_accumulators(x, np.array(wflat, np.int64).reshape(n_out, n_in), bias, zp_in)
    case = dict(inputCount=n_in, outputCount=n_out, zeroPoints=[zp_in, zp_out], clamp=[lo, hi],
                rounding=rounding, x=hexbytes(x.tolist()), weights=hexbytes(wflat), bias=bias,
                multipliers=mult, shifts=shift)
    if accumulators_only:
        case["accumulators"] = accs
    else:
        case["y"] = hexbytes([output_stage(a, mult[o], shift[o], rounding, zp_out, lo, hi)
                              for o, a in enumerate(accs)])
    return case


def random_per_place_head_case(rng):
    """A per-place head (format version 4): the fully connected accumulators of each place's
    channels, row-major HWC. Over a model's input (gray or RGB, zero point 0), so a test runs it
    through a built blob's `predict`."""
    h, w, c, n_out = rng.int(1, 6), rng.int(1, 6), rng.pick([1, 3]), rng.int(1, 8)
    x = np.array(rng.int8s(h * w * c), np.int64).reshape(h * w, c)
    wflat = random_weights(rng, n_out, c)
    bias = random_bias(rng, n_out)
    weights = np.array(wflat, np.int64).reshape(n_out, c)
    accs = [a for place in x for a in fc_accumulators(place, weights, bias, 0)]
    return dict(input=[h, w, c], outputCount=n_out, x=hexbytes(x.flatten().tolist()), weights=hexbytes(wflat),
                bias=bias, accumulators=accs)


def random_add_case(rng):
    h, w, c = rng.int(1, 5), rng.int(1, 5), rng.int(1, 9)
    zp1, zp2, zp_out = random_zero_point(rng), random_zero_point(rng), random_zero_point(rng)
    lo, hi = random_clamp(rng, zp_out)
    if rng.int(0, 3) == 0:  # extremes: any multiplier, any shift the validator takes
        requantization = [(rng.pick([0, 2**30, 2**31 - 1, rng.int(0, 2**31 - 1)]), rng.pick([-31, 0, rng.int(-31, 0)]))
                          for _ in range(3)]
    else:  # realistic: scales 2^-10 .. 2^0, TFLite's choice of factors
        s1, s2, s_out = (float(np.float32(2.0 ** (rng.int(-10_000, 0) / 1000))) for _ in range(3))
        requantization = add_requantization(s1, s2, s_out)
    x1, x2 = rng.int8s(h * w * c), rng.int8s(h * w * c)
    y = add(x1, x2, zp1, zp2, requantization, zp_out, lo, hi)
    return dict(shape=[h, w, c], zeroPoints=[zp1, zp2, zp_out], clamp=[lo, hi],
                multipliers=[m for m, _ in requantization], shifts=[s for _, s in requantization],
                x1=hexbytes(x1), x2=hexbytes(x2), y=hexbytes(y))


def random_pad_case(rng, with_values=False):
    h, w, c = rng.int(1, 6), rng.int(1, 6), rng.int(1, 9)
    before = [rng.pick([0, 0, 1, rng.int(0, 4)]) for _ in range(3)]
    after = [rng.pick([0, 0, 1, rng.int(0, 4)]) for _ in range(3)]
    zp = random_zero_point(rng)
    x = np.array(rng.int8s(h * w * c), np.int64).reshape(h, w, c)
    values = rng.int8s(before[2] + c + after[2]) if with_values else None
    y = pad(x, before, after, zp, values)
    case = dict(input=[h, w, c], before=before, after=after, zeroPoint=zp, x=hexbytes(x.flatten().tolist()),
                y=hexbytes(y.flatten().tolist()))
    if with_values:
        case["values"] = values
    return case


# --- Hand-worked cases (docs/quantization.md, "Hand-worked cases") ---------------------------

def hand_worked_checks():
    """The doc's hand-worked cases, asserted here so the oracle and the doc cannot drift."""
    h = 2**30
    assert quantize_multiplier(0.5) == (h, 0)
    assert quantize_multiplier(0.75) == (1610612736, 0)
    assert quantize_multiplier(0.5 + 2**-32) == (h + 1, 0)
    assert quantize_multiplier(1 - 2**-40) == (h, 1)
    assert quantize_multiplier(2**-32) == (h, -31) and quantize_multiplier(2**-33) == (0, 0)
    assert [srdhm(a, h) for a in (1, -1, 3, -3)] == [1, 0, 2, -1]
    assert srdhm(INT32_MIN, INT32_MIN) == INT32_MAX
    assert [rdbpot(x, e) for x, e in ((5, 1), (-5, 1), (-6, 2), (-2, 2), (-1, 2))] == [3, -3, -2, -1, 0]
    both = lambda a, m, s: (requantize_double(a, m, s), requantize_single(a, m, s))
    assert both(5, h, -1) == (2, 1)
    assert both(-12, h, -2) == (-2, -1)
    assert both(3, h, 30) == (h, 3 * 2**29) and both(-3, h, 30) == (-h, -3 * 2**29)
    assert both(INT32_MAX, INT32_MAX, 30) == (INT32_MAX - 1, INT32_MAX)
    assert both(INT32_MAX, INT32_MAX, -31) == (1, 1)
    assert both(INT32_MIN, h, -31) == (-1, 0)
    assert both(INT32_MAX, 0, 7) == (0, 0)
    assert [rounded_average(s, 4) for s in (3, 2, -2, -1, -3)] == [1, 1, -1, 0, -1]
    assert rounded_average(-2, 3) == -1 and rounded_average(-3, 6) == -1
    assert sigmoid_f32(np.float32(0)) == np.float32(0.5)
    # max pool 3x3 stride 1 same over values below the zero point: padding takes no part
    neg = np.array([-100, -90, -80, -70, -60, -50, -40, -30, -20], np.int64).reshape(3, 3, 1)
    assert max_pool_window(neg, (3, 3), (1, 1), (1, 1), (3, 3), (-128, 127)) == [-60, -50, -50, -30, -20, -20, -30, -20, -20]
    # softmax of two equal values: 1/2 each, bins 0 and 4 -> 2; a tie decides for the first
    two = softmax_head([0, 0], [0x3F800000] * 2, [0, 0x40800000])
    assert two[0] == 0 and two[1] == [0x3F000000, 0x3F000000] and two[2] == 0x40000000
    argmax, p, e = softmax_head([1, 3, 3], [0x3F800000] * 3, [0, 0x3F800000, 0x40000000])
    assert argmax == 1 and p[1] == p[2]
    add_factors = add_requantization(0.5, 0.25, 0.5)
    assert add_factors == [(h, 0), (h, -1), (h, -18)]
    assert add([3, 1, -1, 127, -128], [5, 2, 0, 127, -128], 0, 1, add_factors, 0, -128, 127) == [5, 2, -2, 127, -128]
    assert add([3, 1, -1], [5, 2, 0], 0, 1, add_factors, -3, -3, 127) == [2, -1, -3]
    # 16-bit activations: the multiplier 2^30 (one half) reduces to 2^14; 3 * 2^14 / 2^15 = 1.5 -> 2,
    # -1.5 -> -1 (ties toward +inf); 0x7FFF0000 and above reduce to 0x7FFF
    assert multiply_by_quantized_multiplier_64(3, h, 0) == 2 and multiply_by_quantized_multiplier_64(-3, h, 0) == -1
    assert multiply_by_quantized_multiplier_64(2**20, 2**31 - 1, 0) == 2**20 - 32
    assert multiply_by_quantized_multiplier_64(5, 2**15 - 1, 7) == 0
    assert wide_output_stage(100_000, h, 0, 0, INT16_MIN, INT16_MAX) == INT16_MAX
    assert wide_add([1000, -1000], [3, 3], add_requantization(1, 1, 1)[:2] + [quantize_multiplier(2 / 2**15)], INT16_MIN, INT16_MAX) == [1003, -997]


def scalar_cases(rng):
    h = 2**30
    edges = [0, 1, -1, 2, -2, 3, -3, 5, -5, 12, -12, 127, -128, h, -h, h - 1, -h + 1,
             INT32_MAX, INT32_MIN, INT32_MAX - 1, INT32_MIN + 1]
    rand32 = lambda: rng.int(INT32_MIN, INT32_MAX)
    small = lambda: rng.int(-2**16, 2**16)

    reals = [0.5, 1.0, 0.75, 0.5 + 2**-32, 1 - 2**-40, 2**-32, 2**-33, 2**-31 * 0.75, 0.25 - 2**-60,
             1.5, 2.0**30, 1e-10]
    reals += [2.0 ** (rng.int(-40_000, 4_000) / 1000) for _ in range(200)]
    reals += [effective_scale(2.0 ** (rng.int(-12_000, 0) / 1000), 2.0 ** (rng.int(-12_000, 0) / 1000),
                              2.0 ** (rng.int(-12_000, 0) / 1000)) for _ in range(100)]
    qm = [[float(r).hex(), *quantize_multiplier(r)] for r in reals]

    pairs = [(a, b) for a in edges for b in (h, -h, INT32_MAX, INT32_MIN, 0, 1)]
    pairs += [(rand32(), rand32()) for _ in range(200)] + [(small(), rand32()) for _ in range(100)]
    sr = [[a, b, srdhm(a, b)] for a, b in pairs]

    div = [(x, e) for x in edges for e in (0, 1, 2, 30, 31)]
    div += [(rand32(), rng.int(0, 31)) for _ in range(300)] + [(small(), rng.int(0, 4)) for _ in range(100)]
    rd = [[x, e, rdbpot(x, e)] for x, e in div]

    rq = []
    for acc in edges:
        for m in (0, h, INT32_MAX, 1518500250):
            for shift in (-31, -2, -1, 0, 1, 30):
                for rounding in (0, 1):
                    rq.append([acc, m, shift, rounding, requantize(acc, m, shift, rounding)])
    for _ in range(600):
        acc = rng.pick([rand32(), small(), rng.int(-200, 200)])
        m = rng.pick([rng.int(h, INT32_MAX), rng.int(0, INT32_MAX), h])
        shift = rng.int(-31, 30)
        rounding = rng.int(0, 1)
        rq.append([acc, m, shift, rounding, requantize(acc, m, shift, rounding)])

    avg = [[s, n, rounded_average(s, n)] for s in range(-10, 11) for n in (1, 2, 3, 4, 6)]
    avg += [[s, 4, rounded_average(s, 4)] for s in (-512, 508, -510, 510)]
    for _ in range(200):
        n = rng.int(1, 4096)
        s = rng.int(-128 * n, 127 * n)
        avg.append([s, n, rounded_average(s, n)])

    xs = np.array([0.0, -0.0, 1.0, -1.0, 0.5, -0.5, 85.99, -85.99, 86.0, -86.0, 100.0, -100.0,
                   1e-8, -1e-8, 20.0, -20.0, 17.3, -17.3, np.inf, -np.inf], np.float32)
    xs = np.concatenate([xs, np.array([rng.int(-90_000_000, 90_000_000) / 1e6 for _ in range(500)], np.float32)])
    sig = [[int(b), int(y)] for b, y in zip(xs.view(np.uint32), sigmoid_f32(xs).view(np.uint32))]

    heads = []
    for acc in [0, 1, -1, 16777217, -16777217, INT32_MAX, INT32_MIN] + [rand32() for _ in range(50)]:
        scale_bits = int(np.float32(2.0 ** (rng.int(-30_000, -4_000) / 1000)).view(np.uint32))
        heads.append([acc, scale_bits, dequantize_head(acc, scale_bits)])

    return dict(quantizeMultiplier=qm, saturatingRoundingDoublingHighMul=sr,
                roundingDivideByPowerOfTwo=rd, requantize=rq, roundedAverage=avg, sigmoid=sig,
                headDequantization=heads)


def kernel_cases(rng, add_rng, pad_rng, large_rng, max_pool_rng, pad_values_rng, per_place_rng):
    return dict(
        conv2D=[random_conv_case(rng, False) for _ in range(60)],
        depthwiseConv2D=[random_conv_case(rng, True) for _ in range(60)],
        maxPool2x2=[random_pool_case(rng, "max") for _ in range(30)],
        averagePool2x2=[random_pool_case(rng, "average") for _ in range(30)],
        globalAveragePool=[random_pool_case(rng, "global") for _ in range(30)],
        fullyConnected=[random_fc_case(rng, False) for _ in range(40)],
        fullyConnectedAccumulators=[random_fc_case(rng, True) for _ in range(40)],
        # its own stream, so adding the op changed none of the vectors above
        add=[random_add_case(add_rng) for _ in range(60)],
        pad=[random_pad_case(pad_rng) for _ in range(30)],
        # format version 3, each on its own stream too: kernels 6-7 (the age net's 7x7/2 first
        # convolution), max pool k x k / stride s, pad with per-channel values
        conv2DLarge=[random_conv_case(large_rng, False, kernels=(6, 7), size=12) for _ in range(30)],
        maxPool=[random_max_pool_case(max_pool_rng) for _ in range(40)],
        padValues=[random_pad_case(pad_values_rng, with_values=True) for _ in range(30)],
        # format version 4, its own stream: heads that are a 1x1 convolution at every place
        perPlaceHeads=[random_per_place_head_case(per_place_rng) for _ in range(30)],
    )


def head_cases(rng):
    """Softmax / expected-value heads: 2-100 outputs (81 as the age net), accumulators spread from
    a few steps to the whole int32 range, ties, one output far above the rest, bin values 0..n-1
    or random (finite, also negative)."""
    cases = []
    for k in range(80):
        n = rng.pick([2, 3, 81, rng.int(2, 100)])
        spread = rng.pick([4, 1000, 2**20, 2**31 - 1])
        accs = [rng.int(max(-spread, INT32_MIN), min(spread, INT32_MAX)) for _ in range(n)]
        if k % 8 == 0:
            accs = [accs[0]] * n                                  # all tied: the first decides
        elif k % 8 == 1:
            accs[rng.int(0, n - 1)] = INT32_MAX                   # one far above the rest
        scales = [int(np.float32(2.0 ** (rng.int(-30_000, -4_000) / 1000)).view(np.uint32))
                  for _ in range(n)]
        if k % 2 == 0:
            scales = [scales[0]] * n                              # one scale, as per-tensor weights
        if k % 3 == 0:
            values = [float(i) for i in range(n)]                 # one-year bins 0..n-1
        else:
            values = [rng.int(-2_000_000, 2_000_000) / 1000 for _ in range(n)]
        value_bits = [int(np.float32(x).view(np.uint32)) for x in values]
        argmax, p, expected = softmax_head(accs, scales, value_bits)
        cases.append(dict(accumulators=accs, scales=scales, values=value_bits, argmax=argmax,
                          probabilities=p, expectedValue=expected))
    return dict(heads=cases)


def golden_files():
    hand_worked_checks()
    files = {
        "numerics.json": scalar_cases(SplitMix64(0x5EED_0001)),
        "kernels.json": kernel_cases(SplitMix64(0x5EED_0002), SplitMix64(0x5EED_0003), SplitMix64(0x5EED_0004),
                                     SplitMix64(0x5EED_0006), SplitMix64(0x5EED_0007), SplitMix64(0x5EED_0008),
                                     SplitMix64(0x5EED_0009)),
        "heads.json": head_cases(SplitMix64(0x5EED_0005)),
        "kernels16.json": wide_kernel_cases(SplitMix64(0x5EED_0010)),
    }
    return {name: json.dumps({"generator": "tools/oracle/oracle.py", **body}, separators=(",", ":")) + "\n"
            for name, body in files.items()}


def sigmoid_error():
    """Max error of the runtime sigmoid against float64 on every 64th float32 in [-90, 90]."""
    top = np.float32(90).view(np.uint32)
    positive = np.arange(0, int(top) + 1, 64, dtype=np.uint32).view(np.float32)
    xs = np.concatenate([positive, -positive])
    y = sigmoid_f32(xs).astype(np.float64)
    exact = 1 / (1 + np.exp(-xs.astype(np.float64)))
    absolute = np.abs(y - exact)
    relative = np.where(np.abs(xs) < 86, absolute / exact, 0)
    i, j = int(absolute.argmax()), int(relative.argmax())
    print(f"points: {xs.size} (every 64th float32 in [-90, 90])")
    print(f"max abs error: {absolute[i]:.3e} at x = {float(xs[i])!r}")
    print(f"max rel error for |x| < 86: {relative[j]:.3e} at x = {float(xs[j])!r}"
          f" ({relative[j] / 2**-24:.1f} half-ulps of float32)")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--check", action="store_true", help="regenerate in memory and diff against the files")
    parser.add_argument("--sigmoid-error", action="store_true", help="measure the sigmoid's error")
    args = parser.parse_args()
    if args.sigmoid_error:
        sigmoid_error()
        return 0
    files = golden_files()
    if args.check:
        stale = []
        for name, text in files.items():
            path = os.path.join(GOLDEN_DIR, name)
            if not os.path.exists(path) or open(path).read() != text:
                stale.append(name)
        if stale:
            print("golden files differ from the oracle: " + ", ".join(stale), file=sys.stderr)
            print("regenerate with: python3 tools/oracle/oracle.py", file=sys.stderr)
            return 1
        print("golden files match the oracle: " + ", ".join(sorted(files)))
        return 0
    os.makedirs(GOLDEN_DIR, exist_ok=True)
    for name, text in files.items():
        path = os.path.join(GOLDEN_DIR, name)
        temporary = path + ".tmp"
        with open(temporary, "w") as f:
            f.write(text)
            f.flush()
            os.fsync(f.fileno())
        os.replace(temporary, path)
        print(f"wrote {os.path.relpath(path, ROOT)} ({len(text)} bytes)")
    return 0


if __name__ == "__main__":
    sys.exit(main())

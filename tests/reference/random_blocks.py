"""Random but valid ggml blocks of every type gguf-py can dequantize, for tests: random
bytes everywhere except the scale fields, which hold finite values (random f16 scales for
the bit-exactness tests, or one chosen scale for weights of a given size).

  random_blocks(qtype, n_blocks, rng)          scales from f16 subnormals to the hundreds
  random_weight(qtype, rows, cols, rms, rng)   a (rows, cols) tensor's bytes whose
                                               gguf.quants.dequantize has about that rms
"""
import math

import numpy as np
import gguf
from gguf import GGMLQuantizationType as Q
from gguf.constants import GGML_QUANT_SIZES

# Byte offsets of the f16 scale fields (d, and dmin or m where there is one) in a block.
F16_SCALES = {
    Q.Q4_0: [0], Q.Q4_1: [0, 2], Q.Q5_0: [0], Q.Q5_1: [0, 2], Q.Q8_0: [0],
    Q.Q2_K: [80, 82], Q.Q3_K: [108], Q.Q4_K: [0, 2], Q.Q5_K: [0, 2], Q.Q6_K: [208],
    Q.IQ2_XXS: [0], Q.IQ2_XS: [0], Q.IQ2_S: [0], Q.IQ3_XXS: [0], Q.IQ3_S: [0], Q.IQ1_S: [0],
    Q.IQ4_NL: [0], Q.IQ4_XS: [0], Q.TQ1_0: [52], Q.TQ2_0: [64],
}
IQ1_M_SCALES = 48  # four u16 whose top nibbles are the f16 d
# Scale fields that are not f16 and take any byte: MXFP4's E8M0 exponent, NVFP4's four
# UE4M3 scales. Random bytes test their whole range.
BYTE_SCALES = {Q.MXFP4: 1, Q.NVFP4: 4}
PLAIN = {Q.F32: np.float32, Q.F16: np.float16, Q.BF16: np.uint16, Q.F64: np.float64,
         Q.I8: np.int8, Q.I16: np.int16, Q.I32: np.int32, Q.I64: np.int64}
# Every type gguf.quants.dequantize decodes, plus F64 and the integers (numpy converts them).
TYPES = list(PLAIN) + list(F16_SCALES) + [Q.IQ1_M] + list(BYTE_SCALES)


def dequantize(raw, qtype):
    """gguf.quants.dequantize, or numpy's conversion for the types it leaves out."""
    if qtype in (Q.F64, Q.I8, Q.I16, Q.I32, Q.I64):
        with np.errstate(over="ignore"):  # F64 beyond float's range becomes infinity
            return raw.view(PLAIN[qtype]).astype(np.float32)
    return gguf.quants.dequantize(raw, qtype).astype(np.float32, copy=False)


def random_scales(n, rng):
    """Finite f16 values of both signs with magnitudes from subnormals to the hundreds."""
    return (rng.standard_normal(n) * 10.0 ** rng.uniform(-8, 2, n)).astype("<f2")


def set_f16_scales(blocks, qtype, scales):
    """Writes one f16 per block into every scale field of (n_blocks, type_size) blocks."""
    bits = scales.astype("<f2").view(np.uint16).astype(np.uint16)
    if qtype == Q.IQ1_M:
        words = blocks[:, IQ1_M_SCALES:IQ1_M_SCALES + 8].copy().view("<u2")
        for w in range(4):
            words[:, w] = (words[:, w] & 0x0FFF) | (((bits >> (4 * w)) & 0xF) << 12)
        blocks[:, IQ1_M_SCALES:IQ1_M_SCALES + 8] = words.view(np.uint8)
        return
    for offset in F16_SCALES[qtype]:
        blocks[:, offset:offset + 2] = bits.view(np.uint8).reshape(-1, 2)


def random_plain(qtype, n, rng):
    if qtype in (Q.F32, Q.F64):
        # F64 reaches past float's range both ways: its conversion rounds to subnormals,
        # zero and infinity too.
        exponents = rng.integers(-30, 30, n) if qtype == Q.F32 else rng.integers(-50, 50, n)
        return (rng.standard_normal(n) * 10.0 ** exponents).astype(PLAIN[qtype])
    if qtype in (Q.F16, Q.BF16):
        exp_mask = 0x7C00 if qtype == Q.F16 else 0x7F80
        bits = rng.integers(0, 2**16, size=n, dtype=np.uint16)
        # An all-ones exponent (inf, NaN) loses its top bit.
        return np.where((bits & exp_mask) == exp_mask, bits & 0xBFFF, bits).astype("<u2")
    info = np.iinfo(PLAIN[qtype])
    return rng.integers(info.min, info.max, size=n, dtype=PLAIN[qtype], endpoint=True)


def random_blocks(qtype, n_blocks, rng):
    """(n_blocks, type_size) uint8 of random blocks with finite scales."""
    block_size, type_size = GGML_QUANT_SIZES[qtype]
    if qtype in PLAIN:
        return random_plain(qtype, n_blocks, rng).view(np.uint8).reshape(n_blocks, type_size)
    blocks = rng.integers(0, 256, size=(n_blocks, type_size), dtype=np.uint8)
    if qtype not in BYTE_SCALES:
        set_f16_scales(blocks, qtype, random_scales(n_blocks, rng))
    return blocks


def set_uniform_scale(blocks, qtype, scale):
    """Every block's scale set to about `scale` (a power of two for the byte scales)."""
    if qtype == Q.MXFP4:
        blocks[:, 0] = 128 + round(math.log2(scale))  # E8M0 halved: 2^(e - 128)
    elif qtype == Q.NVFP4:
        blocks[:, :4] = (7 + 1 + round(math.log2(scale))) << 3  # UE4M3 halved: 2^(e - 8)
    else:
        set_f16_scales(blocks, qtype, np.full(len(blocks), scale, dtype=np.float32))


def random_weight(qtype, rows, cols, rms, rng):
    """(rows, cols * type_size / block_size) uint8: a weight of `qtype` whose values have
    an rms of about `rms` (random quants under one scale for the whole tensor)."""
    block_size, type_size = GGML_QUANT_SIZES[qtype]
    blocks = random_blocks(qtype, rows * cols // block_size, rng)
    set_uniform_scale(blocks, qtype, 1.0)
    unit = float(np.sqrt(np.mean(dequantize(blocks.reshape(-1), qtype).astype(np.float64) ** 2)))
    set_uniform_scale(blocks, qtype, rms / unit)
    return blocks.reshape(rows, cols // block_size * type_size)

// Plain C++ reference implementations of the kernels (notes/ops.md semantics),
// computed in double where it matters: the ground truth generated code is tested
// against. Only tests use these loops.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "ir/dtype.h"
#include "models/quant/ggml_type.h"

namespace lmc::test {

float f16_to_f32(uint16_t h);
uint16_t f32_to_f16(float f);  // round to nearest even

// GGUF q8_0 as ggml's reference quantizer: per 32 values d = max|x|/127 (stored as f16),
// q = x * (1/d) rounded half away from zero.
std::vector<uint8_t> quantize_q8_0(const float* x, int64_t rows, int64_t k);
void dequantize_q8_0_row(const uint8_t* row, int64_t k, float* out);
// Rows (a multiple of 16) of panel_base(panels)'s blocks as the x16 type `panels`: per 16
// rows and block of 32, each f16 of the blocks' heads for the 16 rows, then each 4 bytes
// of quants for the 16 rows (ir/dtype.h).
// (The K types' panels, q4_kx16, q5_kx16 and q6_kx16, come from the compiler's packer,
// models/quant/weight_packing.h; panel_row reads them back on its own.)
std::vector<uint8_t> to_panels(const std::vector<uint8_t>& blocks, ir::DType panels, int64_t rows, int64_t k);
// Row n of an x16 weight back as one row of its row-major blocks.
std::vector<uint8_t> panel_row(const uint8_t* w, ir::DType panels, int64_t K, int64_t n);
// GGUF q4_0 (d*(q-8)), q4_1 (d*q+m), q5_0 (d*(q-16)) and q5_1 (d*q+m) blocks, rounded to
// nearest: the formats a file keeps, which lmc never packs itself.
std::vector<uint8_t> quantize_small(const float* x, int64_t rows, int64_t k, ir::DType t);
void dequantize_small_row(const uint8_t* row, int64_t k, ir::DType t, float* out);

// `rows` rows of k values (a multiple of the block) as random blocks of a type a file stores
// and ggml decodes (the K types, iq4_nl, iq4_xs: ggml_type_of): random quants and integer
// scales, d and dmin small f16 values, so the weights lie within about ±2. Their values are
// ggml's dequantization (weight_row).
std::vector<uint8_t> random_ggml_blocks(int64_t rows, int64_t k, ir::DType t, uint32_t seed);
// The GGUF type whose blocks t is, for the types ggml's dequantization decodes here.
std::optional<models::GgmlType> ggml_type_of(ir::DType t);

// Input rows [T, K] as the integer paths read them against weights of type w, rounded as
// ggml rounds activations: per 32 values (q8_0) q = round-half-even(x * (127/max|x|)) with
// d = max|x|/127 as f16; for K-type weights per 256 (q8_K) the same q with d = 1/(127/max|x|).
std::vector<double> round_input_rows(const float* x, int64_t T, int64_t K, ir::DType w);
// Values under one input scale for weights of type w: 256 for the K types, else 32.
int64_t input_group(ir::DType w);

double ref_activation(const std::string& name, double x);  // gelu_tanh, silu, gelu

// Row n of a [N, K] weight of f32 or of blocks (q8_0, q4_0, q4_1, q5_0, q5_1, the K types
// as models/quant/dequantize.h decodes them, and the x16 panels), as f32 values.
std::vector<float> weight_row(const void* w, ir::DType wtype, int64_t K, int64_t n);
// y[t, n] = Σ_k x[t, k] w[n, k] for x [T, K] and w [N, K] (f32 or blocks). A fused
// prologue or epilogue is composed from the other references around it.
std::vector<double> reference_linear(const std::vector<double>& x, const void* w, ir::DType wtype, int64_t T, int64_t K,
                                     int64_t N);

// Rows ids[t] of a [V, D] table of f32, f16, q8_0, q8_0x16 or a block type kept from a file
// as f32 values.
std::vector<double> reference_embedding(const void* table, ir::DType dtype, int64_t D, const int32_t* ids, int64_t T);
// A side x side grid of rows x[side², D] averaged over window x window squares, in doubles.
std::vector<double> reference_avg_pool(const float* x, int64_t side, int64_t window, int64_t D);
// Per group of G elements: x / sqrt(mean(x²) + eps) * (w + offset).
std::vector<double> reference_rms_norm(const float* x, int64_t T, int64_t D, const float* w, int64_t G, double eps,
                                       double offset);
std::vector<double> reference_layer_norm(const float* x, int64_t T, int64_t D, const float* w, const float* b,
                                         double eps);
// add, mul (a, b), scale (a * factor) and the activations of ref_activation (a).
double ref_elementwise(const std::string& kind, double a, double b, double factor);
// Rotary embedding of x[T, W], row t at position positions[t], heads of head_dim.
std::vector<double> reference_rope(const float* x, int64_t T, int64_t W, const int32_t* positions, int64_t head_dim,
                                   double base, bool neox);
// The same with pair i turning by positions[t] * freqs[i]: the first 2 * freqs.size()
// features of a head turn (neox pairs i, i + freqs.size()), the rest pass through.
std::vector<double> reference_rope(const float* x, int64_t T, int64_t W, const int32_t* positions, int64_t head_dim,
                                   const std::vector<double>& freqs, bool neox);
// `rows` rows of W floats as KV cache rows of `dtype` (f32, f16 rounded to nearest even,
// q8_0 as quantize_q8_0), and back to floats. A row holding a NaN (a slot no key was
// written to) packs as 0xff bytes and unpacks as NaNs.
std::vector<uint8_t> pack_cache_rows(const float* x, int64_t rows, int64_t W, ir::DType dtype);
std::vector<float> unpack_cache_rows(const uint8_t* bytes, int64_t rows, int64_t W, ir::DType dtype);
// Sequence caches [C, W] of `dtype` back to back, row t of x[T, W] written to slot
// positions[t] % C of sequence seqs[t]'s cache.
void reference_kv_write(std::vector<uint8_t>& caches, ir::DType dtype, int64_t C, int64_t W, const float* x, int64_t T,
                        const int32_t* positions, const int32_t* seqs);

struct AttentionRef {
  const float* q;   // [T, Hq * hd]
  const float* kc;  // sequence caches [C, Hk * hd] back to back, key j in slot j % C of its sequence's
  const float* vc;
  const int32_t* positions;  // [T]
  const int32_t* seqs;       // [T]
  int64_t T, C, Hq, Hk, hd;
  double scale;
  int64_t window;   // 0 = unlimited
  double softcap;   // 0 = none
  bool bidirectional = false;  // each row reads its sequence's keys up to the last position of its rows
  const int32_t* key_ends = nullptr;  // [T]: the last key each row reads (the window counts from its position)
};
std::vector<double> reference_attention(const AttentionRef& a);

}  // namespace lmc::test

#include "models/k_quant_unpack.h"

#include <cstring>

#include "models/dequantize_blocks.h"

namespace lmc::models {

namespace {

constexpr int kSuper = 256, kSub = 32;

void put_f32(uint8_t*& out, float v) {
  std::memcpy(out, &v, 4);
  out += 4;
}

// Sub-block j of a Q4_K/Q5_K super-block (`qh` null for Q4_K) as one q4_1f/q5_1f block.
// The super-block's nibbles pair sub-blocks 2i and 2i+1 in 32 bytes (low nibbles, then
// high); q4_1's pair values l and l + 16 of one sub-block in a byte.
void unpack_sub_block(const uint8_t* super, const uint8_t* qh, const uint8_t* qs, int j, uint8_t*& out) {
  float sc, mn;
  k_scale_min(j, super + 4, &sc, &mn);
  put_f32(out, load_f16(super) * sc);
  put_f32(out, -(load_f16(super + 2) * mn));
  auto value = [&](int l) { return (qs[32 * (j / 2) + l] >> (4 * (j % 2))) & 0x0F; };
  if (qh) {
    uint32_t bits = 0;
    for (int l = 0; l < kSub; ++l) bits |= static_cast<uint32_t>((qh[l] >> j) & 1) << l;
    std::memcpy(out, &bits, 4);
    out += 4;
  }
  for (int l = 0; l < kSub / 2; ++l) *out++ = static_cast<uint8_t>(value(l) | (value(l + 16) << 4));
}

// Values 32j .. 32j + 31 of a Q6_K super-block as one q8_2f block: the scales of their
// two sub-blocks of 16, then the quants as signed bytes.
void unpack_q6_pair(const uint8_t* super, int j, uint8_t*& out) {
  put_f32(out, q6_k_scale(super, 2 * j));
  put_f32(out, q6_k_scale(super, 2 * j + 1));
  for (int l = 0; l < kSub; ++l) *out++ = static_cast<uint8_t>(static_cast<int8_t>(q6_k_quant(super, kSub * j + l)));
}

// Values 32j .. 32j + 31 of a super-block of type t as one block of unpacked_k_type(t).
void unpack_32(const uint8_t* super, GgmlType t, int j, uint8_t*& out) {
  if (t == GgmlType::Q6_K) return unpack_q6_pair(super, j, out);
  const bool q5 = t == GgmlType::Q5_K;
  unpack_sub_block(super, q5 ? super + 16 : nullptr, super + (q5 ? 48 : 16), j, out);
}

}  // namespace

std::optional<ir::DType> unpacked_k_type(GgmlType t) {
  if (t == GgmlType::Q4_K) return ir::DType::q4_1f;
  if (t == GgmlType::Q5_K) return ir::DType::q5_1f;
  if (t == GgmlType::Q6_K) return ir::DType::q8_2f;
  return std::nullopt;
}

std::vector<uint8_t> unpack_k_quant(const uint8_t* data, int64_t n_blocks, GgmlType t) {
  const ir::DType to = *unpacked_k_type(t);
  const int64_t in_bytes = ggml_block_info(t).type_size;
  std::vector<uint8_t> out(static_cast<size_t>(n_blocks * (kSuper / kSub) * ir::dtype_block_bytes(to)));
  uint8_t* dst = out.data();
  for (int64_t b = 0; b < n_blocks; ++b)
    for (int j = 0; j < kSuper / kSub; ++j) unpack_32(data + b * in_bytes, t, j, dst);
  return out;
}

}  // namespace lmc::models

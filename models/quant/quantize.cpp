#include "models/quant/quantize.h"

#include <string>

#include "models/quant/quantize_blocks.h"
#include "support/error.h"

namespace lmc::models {
namespace {

struct EncoderRow {
  GgmlType type;
  BlockEncoder encode;
};

constexpr EncoderRow kEncoders[] = {
    {GgmlType::F32, quantize_f32},     {GgmlType::F16, quantize_f16},       {GgmlType::BF16, quantize_bf16},
    {GgmlType::Q4_0, quantize_q4_0},   {GgmlType::Q4_1, quantize_q4_1},     {GgmlType::Q5_0, quantize_q5_0},
    {GgmlType::Q5_1, quantize_q5_1},   {GgmlType::Q8_0, quantize_q8_0},     {GgmlType::Q2_K, quantize_q2_k},
    {GgmlType::Q3_K, quantize_q3_k},   {GgmlType::Q4_K, quantize_q4_k},     {GgmlType::Q5_K, quantize_q5_k},
    {GgmlType::Q6_K, quantize_q6_k},   {GgmlType::IQ4_NL, quantize_iq4_nl}, {GgmlType::IQ4_XS, quantize_iq4_xs},
    {GgmlType::MXFP4, quantize_mxfp4},
};

BlockEncoder encoder_for(GgmlType t) {
  for (const EncoderRow& row : kEncoders)
    if (row.type == t) return row.encode;
  return nullptr;
}

}  // namespace

bool can_quantize(GgmlType t) { return encoder_for(t) != nullptr; }

void quantize_row(GgmlType t, const float* src, uint8_t* dst, int64_t n) {
  const BlockEncoder encode = encoder_for(t);
  if (!encode) throw Error(std::string("quantize: error: no encoder for ggml type ") + ggml_type_name(t));
  const GgmlBlockInfo& info = ggml_block_info(t);
  if (n % info.block_size != 0)
    throw Error("quantize: error: " + std::to_string(n) + " values are not whole " + ggml_type_name(t) + " blocks");
  for (int64_t i = 0; i < n; i += info.block_size, dst += info.type_size) encode(src + i, dst);
}

}  // namespace lmc::models

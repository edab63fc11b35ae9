#include "models/quant/dequantize.h"

#include <string>

#include "models/quant/dequantize_blocks.h"
#include "support/error.h"

// Each block decoder follows gguf-py's reference dequantizer (gguf/quants.py, itself
// ggml's) term by term. The results are bit-identical for a reason worth knowing: an f16
// scale has 11 significant bits and the quants, grid values and sub-block scales are small
// integers, so every product is exact in float and only a final "- min", "+ m" or
// "+ delta" can round. Grouping and FMA contraction therefore cannot change a value; the
// bit layouts are what must match.

namespace lmc::models {
namespace {

template <GgmlType T, bool kDequantized>
constexpr BlockDecoder decoder_of() {
  if constexpr (kDequantized)
    return dequantize_block<T>;
  else
    return nullptr;
}

struct DecoderRow {
  GgmlType type;
  BlockDecoder decode;
};

constexpr DecoderRow kDecoders[] = {
#define LMC_GGUF_TYPE(Name, id, name, elems, bytes, dequantized) \
  {GgmlType::Name, decoder_of<GgmlType::Name, dequantized>()},
#include "ir/block_types.def"
};

BlockDecoder decoder_for(GgmlType t) {
  for (const DecoderRow& row : kDecoders)
    if (row.type == t) return row.decode;
  return nullptr;
}

}  // namespace

bool can_dequantize(GgmlType t) { return decoder_for(t) != nullptr; }

void dequantize_row(GgmlType t, const uint8_t* src, float* dst, int64_t n) {
  const BlockDecoder decode = decoder_for(t);
  if (!decode) throw Error(std::string("dequantize: error: no decoder for ggml type ") + ggml_type_name(t));
  const GgmlBlockInfo& info = ggml_block_info(t);
  if (n % info.block_size != 0)
    throw Error("dequantize: error: " + std::to_string(n) + " values are not whole " + ggml_type_name(t) + " blocks");
  if (const RowDecoder rows = plain_row_decoder(t))
    rows(src, dst, n);
  else
    for (int64_t i = 0; i < n; i += info.block_size, src += info.type_size) decode(src, dst + i);
}

}  // namespace lmc::models

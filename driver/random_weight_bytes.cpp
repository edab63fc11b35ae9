#include "driver/random_weight_bytes.h"

#include <cmath>
#include <random>

#include "models/quant/ggml_type.h"
#include "models/quant/quantize.h"
#include "models/quant/weight_packing.h"
#include "support/error.h"

namespace lmc::driver {

std::vector<uint8_t> random_weight_bytes(const ir::Type& t, uint64_t seed) {
  const int64_t n = t.dims[0].value, k = t.dims[1].value;
  const ir::DType base = ir::panel_base(t.dtype);
  const std::optional<uint32_t> id = ir::dtype_traits(base).gguf_type;
  if (!id || !models::can_quantize(models::GgmlType(*id)))
    throw Error("no random weights of type " + std::string(ir::dtype_name(t.dtype)));
  std::mt19937_64 rng(seed);
  std::normal_distribution<float> value(0.0f, 1.0f / std::sqrt(static_cast<float>(k)));
  std::vector<float> values(static_cast<size_t>(n * k));
  for (float& v : values) v = value(rng);
  std::vector<uint8_t> blocks(static_cast<size_t>(n) * models::ggml_row_bytes(models::GgmlType(*id), k));
  models::quantize_row(models::GgmlType(*id), values.data(), blocks.data(), n * k);
  return base == t.dtype ? blocks : models::interleave_panels(blocks, t.dtype, n, k);
}

}  // namespace lmc::driver

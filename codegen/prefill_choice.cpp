#include "codegen/prefill_choice.h"

#include <algorithm>
#include <string>

#include "support/error.h"

namespace lmc::codegen {

namespace {

using ir::PrefillKernel;

// The features a kernel's tiles need; the vector kernels need none beyond the baseline.
std::vector<const char*> needed_features(PrefillKernel k) {
  switch (k) {
    case PrefillKernel::Int8Tiles:
      return {"amx-tile", "amx-int8", "avx512vnni", "avx512bw", "evex512"};
    case PrefillKernel::Bf16Tiles:
      return {"amx-tile", "amx-bf16"};
    case PrefillKernel::Vnni:
      break;
  }
  return {};
}

std::string missing(PrefillKernel k, const HasFeature& has) {
  std::string out;
  for (const char* f : needed_features(k))
    if (!has(f)) out += (out.empty() ? "" : ", ") + std::string(f);
  return out;
}

// Whether the kernel's code differs from the vector kernels' for these weights.
bool takes(PrefillKernel k, const std::vector<ir::DType>& parts) {
  switch (k) {
    case PrefillKernel::Int8Tiles:
      return std::any_of(parts.begin(), parts.end(), [](ir::DType t) { return ir::dtype_panel_rows(t) > 1; });
    case PrefillKernel::Bf16Tiles:
      return bf16_tiles_take(parts);
    case PrefillKernel::Vnni:
      break;
  }
  return true;
}

void require(PrefillKernel k, const HasFeature& has) {
  if (std::string m = missing(k, has); !m.empty())
    throw Error(std::string("codegen: error: prefill = \"") + ir::prefill_kernel_name(k) + "\" needs " + m +
                ", which the target lacks");
}

}  // namespace

bool bf16_tiles_take(const std::vector<ir::DType>& parts) {
  return std::all_of(parts.begin(), parts.end(),
                     [](ir::DType t) { return t == ir::DType::f32 || ir::is_quantized(t); });
}

HasFeature spec_features(const TargetSpec& spec) {
  std::vector<std::string> names = split_features(spec.features);
  return [names = std::move(names)](std::string_view f) {
    bool on = false;
    for (const std::string& item : names)  // later entries override earlier ones, as in LLVM
      if (item.size() > 1 && std::string_view(item).substr(1) == f) on = item[0] == '+';
    return on;
  };
}

std::vector<PrefillKernel> linear_prefill_kernels(const std::vector<ir::DType>& parts, const HasFeature& has) {
  std::vector<PrefillKernel> out;
  for (PrefillKernel k : ir::kPrefillKernels)
    if (missing(k, has).empty() && takes(k, parts)) out.push_back(k);
  return out;
}

PrefillKernel linear_prefill_kernel(std::optional<PrefillKernel> asked, const std::vector<ir::DType>& parts,
                                    const HasFeature& has) {
  if (!asked) {
    const bool int8 = missing(PrefillKernel::Int8Tiles, has).empty() && takes(PrefillKernel::Int8Tiles, parts);
    return int8 ? PrefillKernel::Int8Tiles : PrefillKernel::Vnni;
  }
  require(*asked, has);
  return takes(*asked, parts) ? *asked : PrefillKernel::Vnni;
}

std::vector<PrefillKernel> attention_prefill_kernels(const HasFeature& has) {
  std::vector<PrefillKernel> out = {PrefillKernel::Vnni};
  if (missing(PrefillKernel::Bf16Tiles, has).empty()) out.push_back(PrefillKernel::Bf16Tiles);
  return out;
}

bool attention_bf16_tiles(std::optional<PrefillKernel> asked, const HasFeature& has) {
  if (asked != PrefillKernel::Bf16Tiles) return false;
  require(*asked, has);
  return true;
}

}  // namespace lmc::codegen

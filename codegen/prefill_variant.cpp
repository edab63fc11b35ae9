#include "codegen/prefill_variant.h"

#include <array>
#include <utility>

#include "codegen/desc_access.h"

namespace lmc::codegen {

namespace {

constexpr std::array<std::pair<PrefillVariant, const char*>, 4> kNames = {{{PrefillVariant::Default, "default"},
                                                                           {PrefillVariant::Vnni, "vnni"},
                                                                           {PrefillVariant::Int8Tiles, "int8_tiles"},
                                                                           {PrefillVariant::Bf16Tiles, "bf16_tiles"}}};

}  // namespace

const char* prefill_variant_name(PrefillVariant v) {
  for (const auto& [variant, name] : kNames)
    if (variant == v) return name;
  return "default";
}

PrefillVariant prefill_variant(const KernelDesc& d, const ir::Op& anchor) {
  auto it = anchor.attrs().find(kPrefillAttr);
  if (it == anchor.attrs().end()) return PrefillVariant::Default;
  const auto* text = std::get_if<std::string>(&it->second);
  for (const auto& [variant, name] : kNames)
    if (text && *text == name) return variant;
  desc_error(d, std::string("attribute 'prefill' must be one of \"vnni\", \"int8_tiles\", \"bf16_tiles\", got ") +
                    ir::format_attr(it->second));
}

}  // namespace lmc::codegen

#include "ir/prefill_kernel.h"

#include <algorithm>

#include "ir/op_registry.h"
#include "support/error.h"

namespace lmc::ir {

const char* prefill_kernel_name(PrefillKernel k) {
  switch (k) {
    case PrefillKernel::Vnni:
      return "vnni";
    case PrefillKernel::Int8Tiles:
      return "int8_tiles";
    case PrefillKernel::Bf16Tiles:
      return "bf16_tiles";
  }
  return "?";
}

std::optional<PrefillKernel> parse_prefill_kernel(std::string_view name) {
  for (PrefillKernel k : kPrefillKernels)
    if (name == prefill_kernel_name(k)) return k;
  return std::nullopt;
}

std::string prefill_names(unsigned mask) {
  std::string out;
  int left = 0;
  for (PrefillKernel k : kPrefillKernels) left += (mask & prefill_bit(k)) != 0;
  for (PrefillKernel k : kPrefillKernels) {
    if (!(mask & prefill_bit(k))) continue;
    out += prefill_kernel_name(k);
    --left;
    out += left > 1 ? ", " : left == 1 ? " or " : "";
  }
  return out;
}

std::optional<PrefillKernel> prefill_kernel(const Op& op) {
  if (!op.has_attr(kPrefillAttr)) return std::nullopt;
  const std::string& name = op.attr_str(kPrefillAttr);
  const unsigned allowed = traits(op).prefill_kernels;
  std::optional<PrefillKernel> k = parse_prefill_kernel(name);
  if (!k || !(allowed & prefill_bit(*k)))
    throw Error(op.where() + ": prefill = \"" + name + "\" names no kernel of " + op.kind() + " (" +
                prefill_names(allowed) + ")");
  return k;
}

std::vector<Type> prefill_weights(const Op& op) {
  std::vector<Type> out;
  for (size_t i = 0; i < op.operands().size(); ++i)
    if (reads_panels(op, i)) out.push_back(op.operand(i)->type());
  return out;
}

bool rounds_full_precision(PrefillKernel k, const std::vector<Type>& weights) {
  return k == PrefillKernel::Bf16Tiles &&
         std::any_of(weights.begin(), weights.end(), [](const Type& w) { return w.dtype == DType::f32; });
}

}  // namespace lmc::ir

#include "codegen/kernel_desc.h"

namespace lmc::codegen {

namespace {
std::string type_list(const std::vector<ir::Type>& types) {
  std::string s = "(";
  for (size_t i = 0; i < types.size(); ++i) s += (i ? ", " : "") + types[i].str();
  return s + ")";
}
}  // namespace

// "linear(f32[T,640], q8_0[2048,640]) -> (f32[T,2048]) {act = \"silu\"}": every
// field that can change the generated code, in a fixed order (attrs are sorted).
std::string KernelDesc::key() const {
  std::string s = kind + type_list(operands) + " -> " + type_list(results);
  if (!attrs.empty()) {
    s += " {";
    bool first = true;
    for (const auto& [name, value] : attrs) {
      s += (first ? "" : ", ") + name + " = " + ir::format_attr(value);
      first = false;
    }
    s += "}";
  }
  return s;
}

}  // namespace lmc::codegen

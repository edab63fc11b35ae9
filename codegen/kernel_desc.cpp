#include "codegen/kernel_desc.h"

#include "ir/printer.h"

namespace lmc::codegen {

namespace {
std::string type_list(const std::vector<ir::Type>& types) {
  std::string s = "(";
  for (size_t i = 0; i < types.size(); ++i) s += (i ? ", " : "") + types[i].str();
  return s + ")";
}
// The body's lines joined by "; ": keys are single lines (the manifest lists one per line).
std::string one_line(const std::string& text) {
  std::string out;
  bool line_start = false;
  for (char c : text) {
    if (c == '\n') {
      line_start = true;
      continue;
    }
    if (line_start && c == ' ') continue;
    if (line_start) out += "; ";
    line_start = false;
    out += c;
  }
  return out;
}

}  // namespace

// "linear(f32[T,640], q8_0[2048,640]) -> (f32[T,2048])": every field that can change
// the generated code, in a fixed order (attrs are sorted; a fusion's body with its
// values numbered, so the same body in every layer is one kernel).
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
  if (body) s += one_line(ir::print_region_canonical(*body));
  return s;
}

}  // namespace lmc::codegen

#include "codegen/kernel_name.h"

#include <cctype>
#include <cstdio>

namespace lmc::codegen {

namespace {

std::string static_dims(const ir::Type& t) {
  std::string s;
  for (const auto& d : t.dims)
    if (d.is_static()) s += (s.empty() ? "" : "x") + std::to_string(d.value);
  return s;
}

std::string dtype_tag(const KernelDesc& d) {
  std::string tag;
  for (const auto& t : d.operands) {
    if (t.dtype == ir::DType::f32 || t.dtype == ir::DType::i32) continue;
    std::string name(ir::dtype_name(t.dtype));
    if (tag.find(name) == std::string::npos) tag += (tag.empty() ? "" : "_") + name;
  }
  return tag.empty() ? "f32" : tag;
}

std::string sanitize(const std::string& s) {
  std::string out;
  for (char c : s) out += std::isalnum(static_cast<unsigned char>(c)) ? c : '_';
  return out;
}

uint64_t fnv1a(const std::string& s) {
  uint64_t h = 1469598103934665603ull;
  for (unsigned char c : s) h = (h ^ c) * 1099511628211ull;
  return h;
}

// A fusion is named by the ops it runs ("fused_rms_norm_linear"), so profiles and
// dumps say what each kernel does.
std::string kind_tag(const KernelDesc& d) {
  if (!d.body) return d.kind;
  std::string tag = "fused";
  for (const auto& op : d.body->ops()) tag += "_" + op->kind();
  return tag;
}

}  // namespace

std::string kernel_base_name(const KernelDesc& d) {
  std::string name = kind_tag(d) + "_" + dtype_tag(d);
  std::string in = d.operands.empty() ? "" : static_dims(d.operands[0]);
  std::string out = d.results.empty() ? "" : static_dims(d.results[0]);
  std::string dims = in;
  if (!out.empty() && out != in) dims += (dims.empty() ? "" : "x") + out;
  if (!dims.empty()) name += "_" + dims;
  for (const auto& [key, value] : d.attrs)
    if (const auto* s = std::get_if<std::string>(&value)) name += "_" + *s;
  return sanitize(name);
}

std::string kernel_unique_name(const KernelDesc& d) {
  char hex[17];
  std::snprintf(hex, sizeof hex, "%08llx", static_cast<unsigned long long>(fnv1a(d.key()) & 0xffffffffull));
  return kernel_base_name(d) + "_" + hex;
}

}  // namespace lmc::codegen

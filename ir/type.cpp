#include "ir/type.h"

namespace lmc::ir {

std::optional<Sym> parse_sym(std::string_view s) {
  if (s == "T") return Sym::T;
  if (s == "L") return Sym::L;
  return std::nullopt;
}

const char* sym_name(Sym s) { return s == Sym::T ? "T" : "L"; }

std::string Dim::str() const { return sym ? sym_name(*sym) : std::to_string(value); }

bool Type::is_static() const {
  for (const auto& d : dims)
    if (!d.is_static()) return false;
  return true;
}

int64_t Type::numel(const int64_t* syms) const {
  int64_t n = 1;
  for (const auto& d : dims) n *= d.sym ? syms[static_cast<int>(*d.sym)] : d.value;
  return n;
}

int64_t Type::bytes(const int64_t* syms) const {
  if (dims.empty()) return dtype_row_bytes(dtype, 1);
  int64_t last = dims.back().sym ? syms[static_cast<int>(*dims.back().sym)] : dims.back().value;
  return numel(syms) / (last ? last : 1) * dtype_row_bytes(dtype, last);
}

std::string Type::str() const {
  std::string s(dtype_name(dtype));
  s += '[';
  for (size_t i = 0; i < dims.size(); ++i) {
    if (i) s += ',';
    s += dims[i].str();
  }
  s += ']';
  return s;
}

}  // namespace lmc::ir

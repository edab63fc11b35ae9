#include "ir/type.h"

#include "support/checked_math.h"

namespace lmc::ir {

std::optional<Sym> parse_sym(std::string_view s) {
  if (s == "T") return Sym::T;
  if (s == "L") return Sym::L;
  if (s == "C") return Sym::C;
  return std::nullopt;
}

const char* sym_name(Sym s) { return s == Sym::T ? "T" : s == Sym::L ? "L" : "C"; }

std::string Dim::str() const { return sym ? sym_name(*sym) : std::to_string(value); }

bool Type::is_static() const {
  for (const auto& d : dims)
    if (!d.is_static()) return false;
  return true;
}

int64_t Type::numel(const int64_t* syms) const {
  int64_t n = 1;
  for (const auto& d : dims) n = checked_mul(n, d.sym ? syms[static_cast<int>(*d.sym)] : d.value, "size of " + str());
  return n;
}

int64_t Type::row_width() const {
  int64_t w = 1;
  for (size_t i = 1; i < dims.size(); ++i) {
    if (!dims[i].is_static()) throw Error("only the leading dim may be symbolic, got " + str());
    w = checked_mul(w, dims[i].value, "row width of " + str());
  }
  return w;
}

int64_t Type::bytes(const int64_t* syms) const {
  if (dims.empty()) return dtype_row_bytes(dtype, 1);
  int64_t last = dims.back().sym ? syms[static_cast<int>(*dims.back().sym)] : dims.back().value;
  int64_t row = checked_mul(last / dtype_block_elems(dtype), dtype_block_bytes(dtype), "byte size of " + str());
  return checked_mul(numel(syms) / (last ? last : 1), row, "byte size of " + str());
}

void Type::check_size() const {
  // The block's bytes bound one element's from above (q8_0: 34 bytes per 32 elements).
  int64_t bytes = dtype_block_bytes(dtype);
  for (const auto& d : dims) {
    if (!d.is_static()) continue;
    if (d.value <= 0) throw Error("type " + str() + " has a dim that is not positive");
    if (d.value > kMaxSize / bytes) throw Error("type " + str() + " is larger than 2^62 bytes");
    bytes *= d.value;
  }
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

// Tensor types: a dtype and a shape whose dims are constants or named symbols bound
// at run time (T = rows of this step, L = rows of logits wanted, C = positions a KV
// cache holds: the context chosen when the model is run).
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "ir/dtype.h"

namespace lmc::ir {

// The symbols a shape may use, in the order the kernel ABI passes their values.
enum class Sym : uint8_t { T = 0, L = 1, C = 2 };
constexpr int kNumSyms = 3;
std::optional<Sym> parse_sym(std::string_view s);
const char* sym_name(Sym s);

struct Dim {
  int64_t value = 0;           // meaningful when !sym
  std::optional<Sym> sym;
  static Dim of(int64_t v) { return Dim{v, std::nullopt}; }
  static Dim symbolic(Sym s) { return Dim{0, s}; }
  bool is_static() const { return !sym; }
  bool operator==(const Dim&) const = default;
  std::string str() const;
};

struct Type {
  DType dtype = DType::f32;
  std::vector<Dim> dims;
  bool operator==(const Type&) const = default;
  size_t rank() const { return dims.size(); }
  bool is_static() const;
  // Element count with symbols bound to the given values; throws lmc::Error on overflow.
  int64_t numel(const int64_t* syms) const;
  int64_t bytes(const int64_t* syms) const;  // honours block formats on the last dim
  // Elements per row of the leading dim (the product of the others, 1 for rank <= 1);
  // throws lmc::Error when one of them is symbolic.
  int64_t row_width() const;
  // Throws lmc::Error unless every constant dim is in 1..2^62 and the constant dims
  // alone need at most 2^62 bytes: the bound every type from outside must meet.
  void check_size() const;
  std::string str() const;                   // "f32[T,640]", "i32[]"
};

}  // namespace lmc::ir

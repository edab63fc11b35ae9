// Overflow-checked arithmetic for shapes and sizes. Every dim, element count and byte
// count in lmc may come from a file (a GGUF header, a YAML expression, IR text), and a
// product or sum that wraps silently turns a hostile size into a small one that passes
// every later check and is then written past its buffer. These throw lmc::Error instead.
#pragma once
#include <cstdint>
#include <string>

#include "support/error.h"

namespace lmc::ir {

// No tensor past 2^62 bytes can ever be allocated; bounding every dim, element count and
// byte count by it leaves headroom so that sums of a few such sizes stay in int64.
constexpr int64_t kMaxSize = int64_t{1} << 62;

// a + b, or an lmc::Error saying `what` overflows.
inline int64_t checked_add(int64_t a, int64_t b, const std::string& what) {
  int64_t r;
  if (__builtin_add_overflow(a, b, &r)) throw Error(what + " overflows int64");
  return r;
}

// a * b, or an lmc::Error saying `what` overflows.
inline int64_t checked_mul(int64_t a, int64_t b, const std::string& what) {
  int64_t r;
  if (__builtin_mul_overflow(a, b, &r)) throw Error(what + " overflows int64");
  return r;
}

// `v` if it lies in 1..kMaxSize, else an lmc::Error naming `what`: the bound every size
// from outside (a dim, a split size, a head count) must meet before it is used.
inline int64_t checked_size(int64_t v, const std::string& what) {
  if (v <= 0 || v > kMaxSize) throw Error(what + " is " + std::to_string(v) + ", outside 1..2^62");
  return v;
}

}  // namespace lmc::ir

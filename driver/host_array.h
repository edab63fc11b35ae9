// A graph argument's or result's values on the host, as a .npy file holds them: f32 or
// i32, row-major. lmc exec reads its inputs into these, stores them into a run's buffers
// in whatever dtype the compiled graph gave the argument (a KV cache may be f16 or q8_0
// after kv-cache-type), and reads every result back the same way, so that two pipelines'
// results compare value by value.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "ir/type.h"

namespace lmc::driver {

struct HostArray {
  ir::DType dtype = ir::DType::f32;  // f32 or i32
  std::vector<int64_t> shape;
  std::vector<float> f32;    // the values when dtype is f32
  std::vector<int32_t> i32;  // the values when dtype is i32
  int64_t numel() const;
};

// The dims of `t` with its symbols bound to `syms` (T, L, C).
std::vector<int64_t> bound_shape(const ir::Type& t, const int64_t* syms);
// "(7, 64)", as numpy prints a shape.
std::string shape_text(const std::vector<int64_t>& shape);
// f32 for every floating-point or block dtype, i32 for i32: what a HostArray holds of a value of type `t`.
ir::DType host_dtype(const ir::Type& t);

// Whether values of type `t` convert to and from a HostArray: f32, f16, bf16, q8_0, i32.
bool host_convertible(ir::DType t);
// Writes `a` (of t's bound shape and host dtype) into `dst` as `t` stores it: f32 and i32
// as they are, f16, bf16 and q8_0 rounded as the packer rounds weights. `t` must be
// host_convertible.
void store_array(const HostArray& a, const ir::Type& t, void* dst);
// The values `src` holds as a `t` at `syms`; `t` must be host_convertible.
HostArray load_array(const void* src, const ir::Type& t, const int64_t* syms);

}  // namespace lmc::driver

// IRBuilder utilities shared by the kernel emitters: reading the kernel ABI
// parameters, loops, vector loads/stores with tails, horizontal reductions and
// f16 conversion. Everything works on one llvm::IRBuilder positioned by the caller.
#pragma once
#include <array>
#include <cstdint>
#include <functional>
#include <string_view>
#include <vector>

#include <llvm/IR/IRBuilder.h>

#include "ir/type.h"

namespace lmc::codegen {

using Builder = llvm::IRBuilder<>;

// The four parameters of the kernel ABI (codegen/kernel_abi.h).
struct KernelParams {
  llvm::Value* args;   // ptr to the buffer pointers
  llvm::Value* syms;   // ptr to the i64 symbol values
  llvm::Value* begin;  // i64
  llvm::Value* end;    // i64
};
KernelParams kernel_params(llvm::Function& fn);

// Creates the entry block of fn and a builder positioned in it. The emitter ends
// the body with b.CreateRetVoid().
Builder entry_builder(llvm::Function& fn);

// Whether the kernel is compiled with `feature` enabled ("+avxvnni" in its
// target-features), for emitters that use an opt-in ISA extension when allowed.
bool has_target_feature(const llvm::Function& fn, std::string_view feature);
// The same as a predicate, as codegen/prefill_choice.h asks it (fn outlives it).
std::function<bool(std::string_view)> target_features_of(const llvm::Function& fn);

llvm::Value* arg_pointer(Builder& b, const KernelParams& p, int index);  // args[index]
llvm::Value* sym_value(Builder& b, const KernelParams& p, ir::Sym s);     // syms[s], i64
llvm::Value* dim_value(Builder& b, const KernelParams& p, const ir::Dim& d);  // i64
// Element i of an i32 array (a row's position or sequence slot), as i64.
llvm::Value* i32_at(Builder& b, llvm::Value* array, llvm::Value* i);

// A fixed-size scratch array on the stack, allocated once in the entry block (so a
// loop around the caller does not grow the stack).
llvm::Value* stack_array(Builder& b, llvm::Type* elem, int64_t count, unsigned align = 32);

llvm::Value* i64c(Builder& b, int64_t v);
llvm::Value* min64(Builder& b, llvm::Value* x, llvm::Value* y);  // signed i64 minimum
llvm::Value* f32c(Builder& b, float v);
llvm::FixedVectorType* f32x(Builder& b, unsigned lanes);
llvm::FixedVectorType* i32x(Builder& b, unsigned lanes);
llvm::FixedVectorType* i8x(Builder& b, unsigned lanes);
llvm::FixedVectorType* i16x(Builder& b, unsigned lanes);
llvm::Value* splat(Builder& b, unsigned lanes, llvm::Value* scalar);
// Two vectors of one type side by side (twice the lanes), and a vector's low and high halves:
// how the 512-bit kernels join two 256-bit column groups and part them again.
llvm::Value* concat(Builder& b, llvm::Value* low, llvm::Value* high);
std::array<llvm::Value*, 2> halves(Builder& b, llvm::Value* v);
llvm::Value* splat_f32(Builder& b, unsigned lanes, float v);
// v as a constant of x's type: a float, or a splat for a float vector.
llvm::Value* f32_like(Builder& b, llvm::Value* x, float v);

// Address arithmetic in elements of the given type / in bytes.
llvm::Value* elem_ptr(Builder& b, llvm::Type* elem, llvm::Value* base, llvm::Value* index);
llvm::Value* f32_ptr(Builder& b, llvm::Value* base, llvm::Value* index);
llvm::Value* byte_ptr(Builder& b, llvm::Value* base, llvm::Value* offset);

// Unaligned vector access to `lanes` consecutive floats.
llvm::Value* load_f32x(Builder& b, llvm::Value* ptr, unsigned lanes);
void store_f32x(Builder& b, llvm::Value* v, llvm::Value* ptr);
// Tail access: only lanes < count (i64, 0 <= count <= lanes) are touched; the
// other lanes load as 0. Lowers to vmaskmovps on AVX2.
llvm::Value* lane_mask(Builder& b, unsigned lanes, llvm::Value* count);
llvm::Value* masked_load_f32x(Builder& b, llvm::Value* ptr, unsigned lanes, llvm::Value* count);
void masked_store_f32x(Builder& b, llvm::Value* v, llvm::Value* ptr, llvm::Value* count);
// Whole-vector access when count is nullptr, masked access otherwise: the two kinds
// of chunk emit_chunks hands to its body.
llvm::Value* load_f32x_n(Builder& b, llvm::Value* ptr, unsigned lanes, llvm::Value* count);
void store_f32x_n(Builder& b, llvm::Value* v, llvm::Value* ptr, llvm::Value* count);

// a*x + c through llvm.fma (scalars or vectors).
llvm::Value* fma(Builder& b, llvm::Value* a, llvm::Value* x, llvm::Value* c);
llvm::Value* vmax(Builder& b, llvm::Value* x, llvm::Value* y);  // llvm.maxnum
llvm::Value* vmin(Builder& b, llvm::Value* x, llvm::Value* y);  // llvm.minnum
llvm::Value* vabs(Builder& b, llvm::Value* x);                  // llvm.fabs
llvm::Value* vsqrt(Builder& b, llvm::Value* x);                 // llvm.sqrt
// Horizontal reductions of a float vector (any lane count) by halving shuffles (a
// fixed order, so results do not depend on fast-math reassociation).
llvm::Value* hsum(Builder& b, llvm::Value* v);
llvm::Value* hmax(Builder& b, llvm::Value* v);
// The full sums of four 8-lane vectors v[0..3], as one 4-lane vector (pairwise adds
// within 128-bit halves, as vhaddps): the end of a register tile of dot products.
llvm::Value* hsum4(Builder& b, llvm::Value* const* v);
// The full sums of eight 8-lane vectors v[0..7] (f32 or i32), lane c holding v[c]'s:
// the columns of a dot-product tile gathered into one vector.
llvm::Value* hsum8(Builder& b, llvm::Value* const* v);
// hsum8 in two: lane c holding the sum of v[c]'s lanes 0..3, and of its lanes 4..7.
std::array<llvm::Value*, 2> hsum8_halves(Builder& b, llvm::Value* const* v);

// f16 → f32: a scalar load of one half, or `lanes` consecutive halves (vcvtph2ps).
llvm::Value* load_f16_as_f32(Builder& b, llvm::Value* ptr);
llvm::Value* load_f16x_as_f32x(Builder& b, llvm::Value* ptr, unsigned lanes);

// for (i = begin; i < end; i += step) body(i). Callers make (end - begin) a multiple
// of step or handle the tail themselves (see round_down). The builder is left after
// the loop.
void emit_for(Builder& b, llvm::Value* begin, llvm::Value* end, int64_t step,
              const std::function<void(llvm::Value* i)>& body, const char* name = "i");
// The same with loop-carried values (accumulators): body gets the current values
// and returns the next ones; the values after the loop are returned.
using Carried = std::vector<llvm::Value*>;
Carried emit_for_carry(Builder& b, llvm::Value* begin, llvm::Value* end, int64_t step, Carried init,
                       const std::function<Carried(llvm::Value* i, const Carried& cur)>& body, const char* name = "i");
// The same, kept a loop: LLVM neither unrolls nor vectorizes it. For a body that
// already fills the registers, whose unrolled copies LLVM would reassociate across
// iterations, keeping every iteration's loads live at once (and spilling them).
Carried emit_rolled_for_carry(Builder& b, llvm::Value* begin, llvm::Value* end, int64_t step, Carried init,
                              const std::function<Carried(llvm::Value* i, const Carried& cur)>& body,
                              const char* name = "i");
// if (cond) then();
void emit_if(Builder& b, llvm::Value* cond, const std::function<void()>& then);
// begin + (end - begin) / multiple * multiple, for splitting a range into body and tail.
llvm::Value* round_down(Builder& b, llvm::Value* begin, llvm::Value* end, int64_t multiple);
// Visits [0, n) in register tiles of `size`: body(i, size) for each whole tile, then
// body(i, r) for the r = 1 .. size-1 left over, each r its own code (a switch picks
// it), so that a tile's count is static and its accumulators stay in registers.
void emit_tiles(Builder& b, llvm::Value* n, int size, const std::function<void(llvm::Value* i, int count)>& body,
                const char* name = "tile");

// Visits [begin, end) in chunks of `lanes`: body(i, nullptr) for each whole chunk at
// i, then body(i, count) for a final partial chunk of count (i64) lanes, to be used
// with load_f32x_n/store_f32x_n. A tail of constant size is emitted only when it is
// not empty, and without a branch.
using ChunkBody = std::function<void(llvm::Value* i, llvm::Value* count)>;
void emit_chunks(Builder& b, llvm::Value* begin, llvm::Value* end, unsigned lanes, const ChunkBody& body);
// The same over a static [0, n) with loop-carried values; the tail lanes past the
// end load as 0, so the body must treat 0 as neutral (sums) or use the count.
using ChunkCarryBody = std::function<Carried(llvm::Value* i, llvm::Value* count, const Carried& cur)>;
Carried emit_chunks_carry(Builder& b, int64_t n, unsigned lanes, Carried init, const ChunkCarryBody& body);

}  // namespace lmc::codegen

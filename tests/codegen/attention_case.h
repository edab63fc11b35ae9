// The attention kernel tests' cases (tests/codegen/test_attention_kernel.cpp): a kernel's
// shape, the rows of a step, and inputs for it with the caches filled as kv_write leaves
// them (paged caches through the KV page table, codegen/kernel_abi.h), the reference's
// view of them beside.
#pragma once
#include <cstdint>
#include <vector>

#include "codegen/kernel_desc.h"
#include "ir/dtype.h"
#include "tests/codegen/paged_caches.h"
#include "tests/codegen/reference_kernels.h"

namespace lmc::test {

struct Case {
  int64_t heads, kv_heads, head_dim, window, slots;
  double softcap;
  bool symbolic = false;  // the cache's rows are the symbol C, bound to `slots` at run time
  ir::DType k = ir::DType::f32, v = ir::DType::f32;  // the caches' dtypes
  bool scrambled_pages = false;  // symbolic: the pages in a random order over a larger pool
  bool bidirectional = false;    // causal = 0: every row reads its sequence's keys up to the step's last
  bool key_ends = false;         // operand 5: each row reads up to its entry of Rows::key_ends
};

codegen::KernelDesc desc(const Case& c);

// The rows of one step: row t at positions[t] of sequence seqs[t].
struct Rows {
  std::vector<int32_t> positions, seqs;
  std::vector<int32_t> key_ends = {};  // with Case::key_ends
  int64_t count() const { return static_cast<int64_t>(positions.size()); }
  int64_t sequences() const;
};

// `rows` consecutive positions of sequence 0 from `pos`.
Rows run_of(int64_t rows, int32_t pos);

// A cache as the kernel reads it (rows of its dtype) and as the reference does (the
// stored values as floats).
struct StoredCache {
  std::vector<uint8_t> bytes;
  std::vector<float> values;
  void* data() { return bytes.data(); }
};

struct Inputs {
  std::vector<float> q;
  StoredCache kc, vc;
  AttentionRef ref;
  PagedCaches pages;  // where the kernel finds a position's row in a paged cache

  // The kernel's arguments, writing its output to o.
  std::vector<void*> args(Rows& rows, std::vector<float>& o);
};

// Queries and caches for the rows, each sequence's cache holding keys/values 0 .. p of its
// rows' last position p (slot j % C), as after kv_write. q·k up to ~head_dim * spread² /
// sqrt(head_dim): peaked enough that the max subtraction and the softcap matter. The
// caches of the symbol C's rows are paged, in the fixed layout unless c.scrambled_pages.
Inputs inputs(const Case& c, Rows& rows, uint32_t seed);

}  // namespace lmc::test

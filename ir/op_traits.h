// What each op is for the compiler, declared once in the op table (ir/op_table.cpp)
// and asked everywhere else: passes, codegen, the memory plan and the executor query
// these traits instead of comparing op names.
#pragma once
#include "ir/dtype.h"
#include "ir/scalar_expr.h"

namespace lmc::ir {

class Op;

enum class OpRole {
  Weight,           // a tensor of the weight store (param)
  WeightTransform,  // computes a weight from weights; folded at compile time (concat, quantize)
  Elementwise,      // result[i] = expr(operands[i]); an operand shaped as one row broadcasts
  RowReduction,     // per row: statistics over the row, then an elementwise apply
  Anchor,           // the loop nest a fusion region is built around (linear, attention, embedding)
  View,             // selects or aliases elements of operand 0 (reshape, split, tail_rows, kv_write)
  Region,           // a fusion: its body of ordinary ops runs as one kernel
  Rotation,         // per row, tables from the row's position; per element, a value from the
                    // element, its partner in a pair and the tables (rope)
  Other,            // a kernel of its own that fuses with nothing (the mixture-of-experts ops)
  Collective,       // moves data between the ranks of a sharded graph (all_reduce, all_gather):
                    // the runtime's communicator runs it, not a kernel
};

// How an op's result columns depend on its operand 0's columns, which decides whether
// the shard pass may give each rank a slice of them.
enum class ColumnGroups {
  None,    // each result column may read every operand column (a linear, a layer_norm)
  Head,    // groups of attribute head_dim columns are independent (rope)
  Weight,  // groups of operand 1's length are independent (rms_norm per head)
};

// A Rotation's element: `value` over in(i) (the element), partner(i) (the other member of
// its pair) and table(j) (per row and pair: table(0) the cosine of the pair's angle at the
// row's position, table(1) its sine, negated for the pair's first member). Pairs lie in
// groups of attribute head_dim columns, among the first rotary_dim (default: head_dim) of
// each; the others keep in(0). Attribute style pairs them: "neox" i with i + rotary_dim/2,
// "normal" 2i with 2i+1. Operand `row_ids` holds each row's position; the angles' frequencies
// come from the op's attributes and operand `factors` when present (docs/ir.md: rope).
struct RowRotation {
  ScalarExpr value;
  int row_ids = 1;
  int factors = 2;
};

struct OpTraits {
  OpRole role{};
  bool kernel = true;            // runs a kernel of its own when it reaches codegen
  bool aliases_operand = false;  // its result is operand 0's storage (viewed or written in place)
  bool commutative = false;      // operands 0 and 1 may be swapped
  bool slices = false;           // View: each result is a contiguous slice of operand 0 along
                                 // attribute `axis`, of the lengths in attribute `sizes`
  bool gathers_rows = false;     // reads the rows of operand 0 that operand 1's ids name
  bool input_prologue = false;   // Anchor: reads operand 0 row by row, so a fusion may compute
                                 // that operand as it is loaded
  ScalarExpr expr{};             // Elementwise: the value of one element
  RowReduction reduction{};      // RowReduction
  bool epilogue = false;         // Anchor: its kernel passes each stored value through a
                                 // region's epilogue
  ColumnGroups column_groups = ColumnGroups::None;  // Elementwise ops are per column anyway
  bool sums_ranks = false;       // Collective: adds every rank's operand (all_reduce), rather
                                 // than placing them side by side (all_gather)
  unsigned cache_operands = 0;   // bit i: operand i is a KV cache, whose rows may be stored in
                                // any cache dtype (kv_write's cache, attention's keys and values)
  unsigned value_cache_operands = 0;  // bit i: cache operand i holds values, not keys (attention's
                                      // operand 2), so its dtype may differ (llama.cpp's -ctv)
  unsigned panel_operands = 0;  // bit i: operand i is a weight whose kernels also read it
                                // interleaved into panels (q8_0x16: linear's weight,
                                // embedding's table)
  RowRotation rotation{};  // Rotation
  bool selects_experts = false;  // operand 1 stacks E experts' weights [E, N, K], of which each
                                 // row reads the k its operand 2 ids name (expert_linear)
  unsigned prefill_kernels = 0;  // the kernels its string attribute `prefill` may name, bits
                                 // ir::prefill_bit (ir/prefill_kernel.h): linear's three,
                                 // attention's vnni and bf16_tiles
};

const OpTraits& traits(const Op& op);
bool runs_kernel(const Op& op);
bool aliases_operand(const Op& op);
// A kernel that writes its result into operand 0's storage (kv_write).
bool writes_in_place(const Op& op);
// Views and aliases that run nothing: the result is operand 0 (reshape).
bool is_pure_view(const Op& op);
bool is_role(const Op& op, OpRole role);
// Its result gets bytes of its own at run time: a kernel that does not write in place, or a collective.
bool has_own_storage(const Op& op);
// A param or a transform of params: a weight, known before any kernel runs.
bool computes_weight(const Op& op);
const char* role_name(OpRole role);
// Operand i of `op` is a KV cache (trait cache_operands).
bool reads_cache(const Op& op, size_t i);
// Operand i of `op` is a cache of values, not of keys (trait value_cache_operands).
bool reads_value_cache(const Op& op, size_t i);
// Operand i of `op` may be stored in panels (trait panel_operands).
bool reads_panels(const Op& op, size_t i);
// What a KV cache's rows may be stored as: f32, f16, or q8_0 blocks.
bool is_cache_dtype(DType t);

}  // namespace lmc::ir

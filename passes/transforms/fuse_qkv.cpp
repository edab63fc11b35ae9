// fuse-qkv: the query, key and value projections of an attention read the same
// normalised input, so one linear over their stacked weights replaces three. One
// pass over the weights instead of three, one kernel launch instead of three; biased
// projections (Qwen2's) fuse too, their biases stacked alike.
//
// Pattern: attention(q, kv_write(k), kv_write(v)) where q, k and v each trace back
// (through rope, rms_norm, scale, reshape, a bias add) to a linear, and the three linears share
// their input. Guard: sibling_fusion_blocker. Result: one linear over the stacked weights
// and a split; where the file stores the three in different block types (a Q4_K_M file's
// q6_k values beside q4_k queries and keys) one weight operand per block type, each kept
// as stored, and a remark naming the parts. A projection an earlier pass put inside a
// region cannot be stacked: a remark on the attention says which region, and the lost
// triples are counted per earlier pass (Pass::candidates).
#include "passes/api/pattern.h"
#include "passes/transforms/builtin_passes.h"
#include "passes/transforms/horizontal_fusion.h"

namespace lmc::passes {

namespace {

ir::Value* projected(ir::Value* v) { return skip_back(v, {"rope", "rms_norm", "scale", "reshape", "add"}); }

ir::Op* projection(ir::Value* v) { return defined_by(projected(v), "linear"); }

// The row written into a KV cache, when the cache operand is a kv_write.
ir::Value* cached_row(ir::Value* cache) {
  ir::Op* write = defined_by(cache, "kv_write");
  return write ? write->operand(1) : nullptr;
}

// The linear feeding the row written into a KV cache.
ir::Op* cached_projection(ir::Value* cache) {
  ir::Value* row = cached_row(cache);
  return row ? projection(row) : nullptr;
}

// Why Q, K or V has no projection to stack when an earlier pass put it in a region; "" else.
std::string grouped_early(ir::Op* attn) {
  for (ir::Value* v : {attn->operand(0), cached_row(attn->operand(1)), cached_row(attn->operand(2))})
    if (v)
      if (std::string why = projection_in_region(projected(v)); !why.empty()) return why;
  return "";
}

// The attention's Q, K and V projections, each null where there is none.
std::vector<ir::Op*> projections_of(ir::Op* attn) {
  return {projection(attn->operand(0)), cached_projection(attn->operand(1)), cached_projection(attn->operand(2))};
}

bool three_projections(const std::vector<ir::Op*>& qkv) {
  return qkv[0] && qkv[1] && qkv[2] && qkv[0] != qkv[1] && qkv[1] != qkv[2];
}

class FuseQkv : public Pass {
 public:
  std::string summary() const override { return "stack Q, K, V projections sharing an input into one linear"; }

  PassResult run(ir::Graph& g, PassContext& ctx) override {
    int fused = 0;
    for (ir::Op* attn : ops_of_kind(g, "attention")) {
      std::vector<ir::Op*> qkv = projections_of(attn);
      if (!qkv[0] || !qkv[1] || !qkv[2]) {
        if (std::string why = grouped_early(attn); !why.empty())
          ctx.remark(name(), attn->result()->name(), "not fused: " + why, RemarkKind::Missed);
        continue;
      }
      if (!three_projections(qkv)) continue;
      if (std::string why = sibling_fusion_blocker(g, qkv); !why.empty()) {
        ctx.remark(name(), qkv[0]->result()->name(), "not fused: " + why, RemarkKind::Missed);
        continue;
      }
      if (std::string parts = block_type_parts(qkv); !parts.empty())
        ctx.remark(name(), qkv[0]->result()->name(), "fused across block types: " + parts);
      fuse_sibling_linears(g, qkv, "qkv");
      ++fused;
    }
    return {fused > 0, {"fused " + std::to_string(fused) + " QKV triples"}};
  }

  // Each attention's three projections, by their values' names (passes/placement.h).
  std::optional<std::vector<Place>> candidates(ir::Graph& g) const override {
    std::vector<Place> out;
    for (ir::Op* attn : ops_of_kind(g, "attention"))
      if (std::vector<ir::Op*> qkv = projections_of(attn); three_projections(qkv)) out.push_back(sorted_names(qkv));
    return out;
  }
};

}  // namespace

std::unique_ptr<Pass> create_fuse_qkv_pass() { return std::make_unique<FuseQkv>(); }

}  // namespace lmc::passes

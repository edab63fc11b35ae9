// fold-weights: weight transforms (concat for fusion, of rows or of each expert's rows;
// quantize for Q8_0; slice for a rank's share) on params are
// computed once at compile time, not on every step. The fold is symbolic: the op
// becomes a param whose name is the transform's expression, e.g.
//   q8_0(cat(blk.0.attn_q.weight,blk.0.attn_k.weight,blk.0.attn_v.weight))
// and the artifact writer evaluates that expression when it packs the weights. So the
// dumps show exactly which packed tensor a kernel reads, and `lmc opt` can fold IR
// text without having the weights.
#include "ir/builder.h"
#include "passes/api/pattern.h"
#include "passes/api/rewriter.h"
#include "passes/transforms/builtin_passes.h"

namespace lmc::passes {

namespace {

const std::string& param_name(const ir::Value* v) { return v->def()->attr_str("name"); }

bool all_params(const ir::Op* op) {
  for (const ir::Value* v : op->operands())
    if (!defined_by(v, "param")) return false;
  return true;
}

// The folded name, or "" when the op is not a foldable transform.
std::string folded_name(const ir::Op* op) {
  if (!all_params(op)) return "";
  if (op->kind() == "quantize")
    return std::string(ir::dtype_name(op->attr_dtype("dtype"))) + "(" + param_name(op->operand(0)) + ")";
  if (op->kind() == "slice")
    return std::string(op->attr_int("axis") == 0 ? "rows(" : "cols(") + param_name(op->operand(0)) + "," +
           std::to_string(op->attr_int("begin")) + "," + std::to_string(op->attr_int("size")) + ")";
  if (joins_weight_rows(*op)) {
    std::string s = op->attr_int("axis") == 0 ? "cat(" : "cat1(";
    for (size_t i = 0; i < op->operands().size(); ++i) s += (i ? "," : "") + param_name(op->operand(i));
    return s + ")";
  }
  return "";
}

std::vector<ir::Op*> program_order(ir::Graph& g) {
  std::vector<ir::Op*> ops;
  for (auto& op : g.ops()) ops.push_back(op.get());
  return ops;
}

class FoldWeights : public Pass {
 public:
  std::string summary() const override { return "turn concat/quantize/slice of weights into packed params"; }

  PassResult run(ir::Graph& g, PassContext&) override {
    int folded = 0;
    Rewriter rw(g);
    // Program order: a quantize of a concat sees the concat already folded.
    for (ir::Op* op : program_order(g)) {
      std::string name = folded_name(op);
      if (name.empty()) continue;
      ir::Builder b(g, g.find(op));
      rw.replace(op->result(), b.param(name, op->result()->type(), op->result()->name()));
      ++folded;
    }
    return {folded > 0, {"folded " + std::to_string(folded) + " weight transforms into packed params"}};
  }
};

}  // namespace

std::unique_ptr<Pass> create_fold_weights_pass() { return std::make_unique<FoldWeights>(); }

}  // namespace lmc::passes

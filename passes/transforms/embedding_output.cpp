// embedding-output: makes the model return its final hidden state instead of its logits,
// for `lmc serve --embeddings` (mean, last or first-token pooling of those rows).
//
// What: the graph's first output (the logits) is traced back to the output projection that
// produced it; that projection's input — the final norm's rows — becomes the output, and the
// projection and what followed it (Gemma 2's soft-cap) are left to dce. Why: an embedding is
// the hidden state the model would have projected onto its vocabulary; a separate graph for
// it costs nothing at run time (the head's weights, often the biggest tensor, are not even
// read), where a second output on the generating graph would keep the final norm from
// fusing into the head for everyone. Pattern: from the first output, back through
// elementwise ops and views on their operand 0, to an anchor that reads its operand 0 row
// by row (input_prologue) against a weight (param) — a linear. Guard: a graph with no such
// head is an error naming the op where the walk stopped. Result: `return %x_n` where the
// graph returned `%logits`; the rows are still the last L of a step (tail_rows), so a
// caller wanting every row's state asks for L = T.
#include "passes/transforms/builtin_passes.h"

#include "ir/op_traits.h"
#include "support/error.h"

namespace lmc::passes {

namespace {

bool reads_weight(const ir::Op& op) {
  const ir::Value* w = op.operands().size() > 1 ? op.operand(1) : nullptr;
  return w && w->def() && ir::is_role(*w->def(), ir::OpRole::Weight);
}

bool is_output_head(const ir::Op& op) {
  return ir::is_role(op, ir::OpRole::Anchor) && ir::traits(op).input_prologue && reads_weight(op);
}

// The op whose operand 0 is the hidden state the first output was computed from.
const ir::Op& output_head(const ir::Graph& g) {
  if (g.outputs().empty()) throw error_at(g.name(), "embedding-output: the graph has no outputs");
  const ir::Value* v = g.outputs().front();
  while (v->def() && !is_output_head(*v->def())) {
    const ir::Op& op = *v->def();
    const bool passes_through = ir::is_role(op, ir::OpRole::Elementwise) || ir::is_role(op, ir::OpRole::View);
    if (!passes_through || op.operands().empty())
      throw error_at(op.where(), "embedding-output: the first output comes from '" + op.kind() +
                                     "', not from a projection of the hidden state (a linear against a weight)");
    v = op.operand(0);
  }
  if (!v->def()) throw error_at(g.name(), "embedding-output: the first output is the argument '%" + v->name() + "'");
  return *v->def();
}

class EmbeddingOutput : public Pass {
 public:
  std::string summary() const override { return "return the final hidden state instead of the logits"; }

  PassResult run(ir::Graph& g, PassContext& ctx) override {
    const ir::Op& head = output_head(g);
    ir::Value* hidden = head.operand(0);
    std::vector<ir::Value*> outputs = g.outputs();
    ctx.remark(name(), head.result()->name(),
               "returns %" + hidden->name() + " " + hidden->type().str() + " instead of %" + outputs.front()->name());
    outputs.front() = hidden;
    g.set_outputs(std::move(outputs));
    return {true, {"output: %" + hidden->name()}};
  }
};

}  // namespace

std::unique_ptr<Pass> create_embedding_output_pass() { return std::make_unique<EmbeddingOutput>(); }

}  // namespace lmc::passes

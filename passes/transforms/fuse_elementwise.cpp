// fuse-elementwise: what the other fusions left — a bias add, an activation, a scale
// after an embedding, chains of such ops — joins the kernel that produces its input,
// greedily in program order, so each chain runs as one loop (or as the epilogue of
// the projection or embedding it follows) without intermediate buffers.
//
// Pattern: an elementwise op whose operand comes from an elementwise op, a row
// reduction, an anchor or a fusion. Guard: the region is one codegen can generate
// (ir/fusion_region.h). That also holds the cost guard: a value the group computes
// and others read is yielded once, never recomputed, and a reduction's statistic is
// computed once per row, never per output element. In measured mode (mode=measured,
// --fuse-mode=measured) an op of one operand after a plain linear joins it only when the
// cost model times the fused kernel no slower (within 2%) than the linear and the op's own
// kernel at `rows` rows and at one row (decode) (--cost-table's `epilogue` lines, or timed here); else a remark
// gives both times. Its candidates (Pass::candidates) are the ops it could join, so an op an
// earlier fusion took is remarked (passes/placement.h).
#include <algorithm>
#include <cstdio>
#include <vector>

#include "ir/op_registry.h"
#include "passes/api/op_pattern.h"
#include "passes/api/rewriter.h"
#include "passes/transforms/builtin_passes.h"
#include "support/error.h"

namespace lmc::passes {

namespace {

const OpPattern& elementwise() {
  static const OpPattern p("%e = any(elementwise)");
  return p;
}

bool producer_kind(const ir::Op& op) {
  ir::OpRole r = ir::traits(op).role;
  return r == ir::OpRole::Elementwise || r == ir::OpRole::RowReduction || r == ir::OpRole::Anchor ||
         r == ir::OpRole::Region;
}

// The op's one operand read from a projection (an anchor with a prologue and an epilogue,
// one expert) of one static weight: what the cost model can time.
bool measurable(const ir::Op& e, const ir::Op& producer) {
  const ir::OpTraits& t = ir::traits(producer);
  return e.operands().size() == 1 && t.input_prologue && t.epilogue && !t.selects_experts &&
         producer.operands().size() == 2 && producer.operand(1)->type().rank() == 2 &&
         producer.operand(1)->type().is_static();
}

constexpr double kTie = 1.02;  // fused within 2% of apart counts as no slower

std::string micros(double seconds) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.3g us", seconds * 1e6);
  return buf;
}

class FuseElementwise : public Pass {
 public:
  std::string summary() const override { return "join elementwise ops to the kernel producing their input"; }

  std::vector<PassOption> options() const override {
    PassOption mode;
    mode.name = "mode";
    mode.kind = OptionKind::Choice;
    mode.help =
        "'rule' (join what codegen can generate) or 'measured' (an activation joins a linear when the "
        "fused kernel times no slower here)";
    mode.default_value = "rule";
    mode.choices = {"rule", "measured"};
    mode.flag = "fuse-mode";
    PassOption rows;
    rows.name = "rows";
    rows.kind = OptionKind::Int;
    rows.help = "the prompt rows measured mode times the kernels at (and one row, a decode step)";
    rows.default_value = "64";
    rows.min = 1;
    rows.max = 1 << 20;
    return {mode, rows};
  }

  PassResult run(ir::Graph& g, PassContext& ctx) override {
    const bool measured = *option("mode") == "measured";
    if (measured && !ctx.cost_model) throw Error("fuse-elementwise{mode=measured} needs a cost model");
    int fused = 0, declined = 0;
    elementwise().for_each(g, [&](const Match& m) {
      ir::Op* e = m.op("e");
      std::string why = "no operand comes from a kernel it can join";
      for (ir::Value* v : e->operands()) {
        if (!v->def() || !producer_kind(*v->def())) continue;
        Rewriter rw(g);
        why = rw.fusion_blocker({v->def(), e});
        if (why.empty() && measured && measurable(*e, *v->def())) why = slower(*e, *v->def(), ctx);
        if (!why.empty()) {
          declined += why.starts_with("the fused kernel is slower");
          continue;
        }
        rw.fuse({v->def(), e});
        ++fused;
        return;
      }
      ctx.remark(name(), e->result()->name(), "not fused: " + why, RemarkKind::Missed);
    });
    std::string stat = "fused " + std::to_string(fused) + " elementwise ops into their producers";
    if (measured) stat += ", " + std::to_string(declined) + " kept apart as faster";
    return {fused > 0, {stat}};
  }

  // Each elementwise op with an operand from a kernel it could join, named by its own value:
  // the producer's name may be a region's yield, which this pass still joins.
  std::optional<std::vector<Place>> candidates(ir::Graph& g) const override {
    std::vector<Place> out;
    elementwise().for_each(g, [&](const Match& m) {
      const ir::Op* e = m.op("e");
      if (std::any_of(e->operands().begin(), e->operands().end(),
                      [](const ir::Value* v) { return v->def() && producer_kind(*v->def()); }))
        out.push_back({e->result()->name()});
    });
    return out;
  }

 private:
  // Why the op stays out of the linear's kernel by the cost model's times, or "": the fused
  // kernel runs every step, so it must not lose at a prompt's `rows` nor at a decode step's
  // one row (a different code path of the linear).
  std::string slower(const ir::Op& e, const ir::Op& linear, PassContext& ctx) const {
    const int64_t prompt = int_option("rows", 64);
    for (int64_t rows : prompt == 1 ? std::vector<int64_t>{1} : std::vector<int64_t>{prompt, 1}) {
      const EpilogueSeconds t = ctx.cost_model->epilogue_seconds({linear.operand(1)->type(), e.kind(), rows});
      // A tie joins: the timings' noise is a few percent, and fused, the linear's result is
      // neither written out nor read back, which a slice of cached columns cannot show.
      if (t.fused > kTie * t.split)
        return "the fused kernel is slower at T=" + std::to_string(rows) + ": " + micros(t.fused) + " against " +
               micros(t.split) + " for the linear and " + e.kind() + " apart";
    }
    return "";
  }
};

}  // namespace

std::unique_ptr<Pass> create_fuse_elementwise_pass() { return std::make_unique<FuseElementwise>(); }

}  // namespace lmc::passes

// weight-panels: stores block weights (q8_0, and the blocks kept from a file)
// interleaved 16 rows at a time (q8_0x16, q4_0x16, ...), the layout the int8 kernels
// multiply.
//
// What: retypes `quantize{dtype=q8_0}` to q8_0x16, and the kept q4_0 ... q5_1, q4_k and q5_k to their x16 types
// (ir/dtype.h: per panel of 16 weight rows and per block of 32 inputs, the 16 rows'
// scales, then each 4 inputs' bytes of the 16 rows side by side). Why: a linear's int8
// dot products take one 32-byte load holding 4 inputs of 8 output columns, broadcast one
// input row's 4 bytes against it, and grow each column's sum in its own i32 lane. Stored
// row by row, the weights had to be either repacked into that layout on every call (the
// GEMM: ~30% of its time) or multiplied column by column with horizontal sums per block
// (the decode path: ~1.5x the GEMM's instructions per row) — both paid again on every
// step, for a layout fixed at compile time. A block keeps its size (34 bytes per 32
// values for q8_0, 20 for q4_1), so decode still reads each weight byte once.
// Pattern: a quantize to a type with panels (ir::panel_type), its result followed to
// every op reading it, into fusion bodies too. Guard: every reader declares that operand panel-readable (op trait
// panel_operands: linear's weight, embedding's table — a tied output projection and
// its embedding share one tensor; a gather of q8_0 panels only), and the weight has
// whole panels of rows; a type whose panels pay only on the bf16 tiles (block trait
// panels_for_bf16_tiles: q6_k) goes into them only where the cost model's target offers
// every reader the bf16 tiles; else it stays row-major, with a remark. Result: `%w_q8 = quantize %w {dtype = q8_0x16} :
// q8_0x16[2048,640]`, and a body argument bound to it typed q8_0x16 too.
#include <algorithm>

#include "ir/op_registry.h"
#include "passes/api/pattern.h"
#include "passes/transforms/builtin_passes.h"

namespace lmc::passes {

namespace {

// The values sharing the weight's storage (its result, fusion body arguments bound to
// it); `refusal` says why it must stay row-major: rows that are not whole panels, or an
// op reading it otherwise.
struct WeightUses {
  std::vector<ir::Value*> values;
  std::string refusal;
};

// Whether the target offers `op` the bf16 tile GEMM, whose weight decode q6_kx16 speeds.
bool offers_bf16_tiles(PassContext& ctx, const ir::Op& op) {
  if (!ctx.cost_model || !ir::traits(op).prefill_kernels) return false;
  std::vector<ir::PrefillKernel> offered = ctx.cost_model->prefill_kernels(op);
  return std::find(offered.begin(), offered.end(), ir::PrefillKernel::Bf16Tiles) != offered.end();
}

WeightUses uses_of(const ir::Graph& g, ir::Value* w, ir::DType panels, PassContext& ctx) {
  const bool bf16_only = ir::dtype_traits(ir::panel_base(panels)).block.panels_for_bf16_tiles;
  WeightUses uses;
  // A panel holds rows of one matrix: an expert's of stacked [E, N, K] weights.
  const ir::Type& t = w->type();
  int64_t rows = t.dims[t.rank() - 2].value, panel = ir::dtype_panel_rows(panels);
  if (rows % panel) uses.refusal = std::to_string(rows) + " rows are not whole panels of " + std::to_string(panel);
  visit_reads(
      g, w, [&](ir::Value* bound) { uses.values.push_back(bound); },
      [&](const ir::Graph&, ir::Op* user, size_t i) {
        if (!uses.refusal.empty()) return;
        if (!ir::reads_panels(*user, i))
          uses.refusal = user->where() + " reads it as operand " + std::to_string(i) + ", which takes no panels";
        // A gather decodes one row of a panel: the emitter does so for q8_0's alone.
        else if (ir::traits(*user).gathers_rows && panels != ir::DType::q8_0x16)
          uses.refusal = user->where() + " gathers its rows, which only q8_0 panels give";
        else if (bf16_only && !offers_bf16_tiles(ctx, *user))
          uses.refusal = std::string(ir::dtype_name(panels)) +
                         " pays only for the bf16 tiles' decode, which the target " + "does not offer " + user->where();
      });
  return uses;
}

class WeightPanels : public Pass {
 public:
  std::string summary() const override {
    return "store block weights (q8_0, kept file blocks) in the 16-row panels the int8 kernels read";
  }

  PassResult run(ir::Graph& g, PassContext& ctx) override {
    int panels = 0, kept = 0;
    for (ir::Op* q : ops_of_kind(g, "quantize")) {
      ir::DType stored = q->attr_dtype("dtype");
      std::optional<ir::DType> to = ir::panel_type(stored);
      ir::Value* w = q->result();
      if (!to && ir::is_quantized(stored) && ir::dtype_panel_rows(stored) == 1) {
        ctx.remark(name(), w->name(),
                   w->type().str() + " stays: " + std::string(ir::dtype_name(stored)) + " has no panel layout",
                   RemarkKind::Missed);
        ++kept;
      }
      if (!to) continue;
      WeightUses uses = uses_of(g, w, *to, ctx);
      if (!uses.refusal.empty()) {
        ctx.remark(name(), w->name(), w->type().str() + " stays: " + uses.refusal, RemarkKind::Missed);
        ++kept;
        continue;
      }
      std::string from = w->type().str();
      q->attrs()["dtype"] = *to;
      retype(uses.values, *to);
      ctx.remark(name(), w->name(), from + " -> " + w->type().str());
      ++panels;
    }
    return {
        panels > 0,
        {"stored " + std::to_string(panels) + " block weights in panels, kept " + std::to_string(kept) + " row-major"}};
  }
};

}  // namespace

std::unique_ptr<Pass> create_weight_panels_pass() { return std::make_unique<WeightPanels>(); }

}  // namespace lmc::passes

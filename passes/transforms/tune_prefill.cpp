// tune-prefill: chooses each linear's prefill kernel by timing the candidates on this
// machine, as FFTW's planner and Triton's autotune do.
//
// What: sets `prefill = "vnni" | "int8_tiles" | "bf16_tiles"` (ir/prefill_kernel.h) on every
// linear whose shape offers a choice, the fastest the cost model measured for it. Why: the
// fastest kernel depends on the host (tile unit or not, AVX-512 or not) and on the weight's
// block type (q6_k is slower on the bf16 tiles than on the int8 ones where q4_k is faster),
// which no developer can time on every machine; measuring here keeps the generated code
// honest to the host that runs it. Pattern: every op whose trait prefill_kernels is set
// (linear, attention), in fusion bodies too; a shape is the types of its weight parts (the
// operands it may read in panels: layout included) and the prefill step's rows (option
// rows). Ops without weights (attention), and every op of a target this host cannot run
// (a cross compile: CostModel::times_prefill), are only forced. Guard: the cost model offers
// two kernels or more for the shape that keep its weights' precision (the bf16 tiles over
// f32 weights round them: ir::rounds_full_precision; a remark names what was withheld),
// and the time budget (option budget: 10 s quick, 60 s
// full, read on the context's clock; the shapes with the most work timed first) is not
// spent; otherwise the default stays (int8 tiles
// where the target has them, else vnni) and a remark says why. kernel=K (the flag
// --prefill-kernel; --amx-bf16 is bf16_tiles) forces K on every op the target offers it to,
// timing nothing; tune=off sets nothing. Result: `%y = linear %x, %w {prefill =
// "bf16_tiles"} : f32[T,14336]`, and a remark per shape with every candidate's time:
// "q4_kx16[14336,4096] x512, 32 linears: bf16_tiles 12.1 ms < int8_tiles 15.0 ms < vnni 30.2 ms".
// Runs after weight-panels (the weights' types are final) and before the fusion passes,
// which keep the attribute on the linear inside a region's body.
#include <algorithm>
#include <cstdio>
#include <map>

#include "ir/op_registry.h"
#include "passes/transforms/builtin_passes.h"

namespace lmc::passes {

namespace {

using ir::PrefillKernel;

// Linears of one prefill shape, in program order.
struct Shape {
  std::vector<ir::Type> weights;
  std::vector<ir::Op*> ops;
  std::vector<PrefillKernel> kernels;  // what the target offers them, keeping their precision
  std::vector<PrefillKernel> withheld;  // what it offers that would round them
};

// Every op whose prefill kernel an attribute may choose, fusion bodies looked into.
void collect(ir::Graph& g, std::vector<ir::Op*>& out) {
  for (auto& op : g.ops()) {
    if (op->body())
      collect(*op->body(), out);
    else if (ir::traits(*op).prefill_kernels)
      out.push_back(op.get());
  }
}

std::string weights_text(const std::vector<ir::Type>& weights) {
  std::string out;
  for (const ir::Type& t : weights) out += (out.empty() ? "" : " + ") + t.str();
  return out;
}

// Three significant digits or so: "12.1 ms", "0.482 ms".
std::string ms_text(double seconds) {
  const double ms = seconds * 1e3;
  char buf[32];
  std::snprintf(buf, sizeof buf, ms >= 100 ? "%.0f ms" : ms >= 10 ? "%.1f ms" : ms >= 1 ? "%.2f ms" : "%.3f ms", ms);
  return buf;
}

std::string seconds_text(double seconds) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%g s", seconds);
  return buf;
}

// Whether the op's attribute changed (a graph tuned before may name the kernel already).
bool set_kernel(ir::Op& op, PrefillKernel k) {
  ir::Attr name = std::string(ir::prefill_kernel_name(k));
  auto [it, fresh] = op.attrs().emplace(ir::kPrefillAttr, name);
  if (fresh || it->second == name) return fresh;
  it->second = std::move(name);
  return true;
}

bool offers(const std::vector<PrefillKernel>& kernels, PrefillKernel k) {
  return std::find(kernels.begin(), kernels.end(), k) != kernels.end();
}

class TunePrefill : public Pass {
 public:
  std::string summary() const override { return "choose each linear's prefill kernel by timing the candidates here"; }

  std::vector<PassOption> options() const override {
    PassOption tune;
    tune.name = "tune";
    tune.kind = OptionKind::Choice;
    tune.help =
        "'quick' times each shape's kernels within about 10 s, 'full' within 60 s and more thoroughly, "
        "'off' keeps the default kernels";
    tune.default_value = "quick";
    tune.choices = {"off", "quick", "full"};
    tune.flag = "tune";
    PassOption kernel;
    kernel.name = "kernel";
    kernel.kind = OptionKind::Choice;
    kernel.help =
        "force this prefill kernel on every linear (and attention) the target offers it to, timing "
        "nothing ('auto': measure; --amx-bf16 is bf16_tiles)";
    kernel.default_value = "auto";
    kernel.choices = {"auto"};
    for (PrefillKernel k : ir::kPrefillKernels) kernel.choices.push_back(ir::prefill_kernel_name(k));
    kernel.flag = "prefill-kernel";
    PassOption rows;
    rows.name = "rows";
    rows.kind = OptionKind::Int;
    rows.help = "the prefill step's rows the kernels are timed at";
    rows.default_value = "512";
    rows.flag = "tune-rows";
    rows.min = 16;
    rows.max = int64_t{1} << 20;
    PassOption budget;
    budget.name = "budget";
    budget.kind = OptionKind::Float;
    budget.help = "seconds of timing at most; the shapes left keep the default (default: 10 quick, 60 full)";
    budget.flag = "tune-budget";
    budget.low = 0;
    return {tune, kernel, rows, budget};
  }

  PassResult run(ir::Graph& g, PassContext& ctx) override {
    const std::string mode = *option("tune"), forced = *option("kernel");
    if (mode == "off" && forced == "auto") return {false, {"tune=off: default kernels"}};
    if (!ctx.cost_model) {
      ctx.remark(name(), "@" + g.name(), "no cost model: default kernels", RemarkKind::Missed);
      return {false, {"no cost model"}};
    }
    std::vector<ir::Op*> ops;
    collect(g, ops);
    if (forced != "auto") return force(g, ctx, ops, *ir::parse_prefill_kernel(forced));
    if (!ctx.cost_model->times_prefill()) {
      ctx.remark(name(), "@" + g.name(), "this host cannot run the target's code to time it: default kernels",
                 RemarkKind::Analysis);
      return {false, {"nothing to time"}};
    }
    return tune(g, ctx, shapes(*ctx.cost_model, ops), mode == "full");
  }

 private:
  // The linears' shapes in order of first appearance, with the kernels offered them.
  static std::vector<Shape> shapes(CostModel& cm, const std::vector<ir::Op*>& ops) {
    std::vector<Shape> out;
    std::map<std::string, size_t> index;
    for (ir::Op* op : ops) {
      std::vector<ir::Type> weights = ir::prefill_weights(*op);
      if (weights.empty()) continue;
      auto [it, fresh] = index.emplace(weights_text(weights), out.size());
      if (fresh) {
        Shape s{weights, {}, {}, {}};
        for (PrefillKernel k : cm.prefill_kernels(*op))
          (ir::rounds_full_precision(k, weights) ? s.withheld : s.kernels).push_back(k);
        out.push_back(std::move(s));
      }
      out[it->second].ops.push_back(op);
    }
    return out;
  }

  PassResult force(ir::Graph& g, PassContext& ctx, const std::vector<ir::Op*>& ops, PrefillKernel k) const {
    int set = 0;
    bool changed = false;
    for (ir::Op* op : ops)
      if (offers(ctx.cost_model->prefill_kernels(*op), k)) {
        changed = set_kernel(*op, k) || changed;
        ++set;
      }
    const std::string what = std::string("kernel=") + ir::prefill_kernel_name(k) + " forced on " + std::to_string(set) +
                             " of " + std::to_string(ops.size()) + " ops";
    ctx.remark(name(), "@" + g.name(),
               what + (set < static_cast<int>(ops.size()) ? "; the target offers it to no other" : ""),
               set ? RemarkKind::Passed : RemarkKind::Missed);
    return {changed, {what}};
  }

  PassResult tune(ir::Graph& g, PassContext& ctx, const std::vector<Shape>& all, bool full) const {
    std::vector<const Shape*> choices;
    for (const Shape& s : all) {
      if (s.kernels.size() > 1) choices.push_back(&s);
      for (PrefillKernel k : s.withheld)
        ctx.remark(name(), s.ops.front()->result()->name(),
                   weights_text(s.weights) + ": " + ir::prefill_kernel_name(k) +
                       " not timed: it would round the f32 weights to bf16, which only --prefill-kernel=" +
                       ir::prefill_kernel_name(k) + " (--amx-bf16) asks for",
                   RemarkKind::Analysis);
    }
    // The budget goes first to the shapes that hold the most of a step's work (weights times
    // linears); equal ones keep program order, so the order is fixed.
    std::stable_sort(choices.begin(), choices.end(),
                     [](const Shape* a, const Shape* b) { return work(*a) > work(*b); });
    if (choices.empty()) {
      ctx.remark(name(), "@" + g.name(),
                 "one prefill kernel for every linear (the target offers no other): nothing timed",
                 RemarkKind::Analysis);
      return {false, {"nothing to time"}};
    }
    const int64_t rows = int_option("rows", 512);
    const double budget = float_option("budget", full ? 60.0 : 10.0), start = ctx.clock();
    size_t timed = 0;
    bool changed = false;
    std::map<std::string, int> chosen;
    for (const Shape* s : choices) {
      if (ctx.clock() - start >= budget) break;
      std::vector<std::pair<double, PrefillKernel>> times;
      for (PrefillKernel k : s->kernels)
        times.push_back({ctx.cost_model->prefill_seconds({k, s->weights, rows, full}), k});
      // Stable: equal times keep the offered order (kPrefillKernels'), so a tie has one winner.
      std::stable_sort(times.begin(), times.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
      for (ir::Op* op : s->ops) changed = set_kernel(*op, times.front().second) || changed;
      ++chosen[ir::prefill_kernel_name(times.front().second)];
      ++timed;
      ctx.remark(name(), s->ops.front()->result()->name(), describe(*s, rows, times));
    }
    if (timed < choices.size())
      ctx.remark(name(), "@" + g.name(),
                 "budget of " + seconds_text(budget) + " spent after " + std::to_string(timed) + " of " +
                     std::to_string(choices.size()) + " shapes: the " + std::to_string(choices.size() - timed) +
                     " left keep the default kernel",
                 RemarkKind::Missed);
    std::string stat = "timed " + std::to_string(timed) + " of " + std::to_string(choices.size()) + " prefill shapes:";
    for (const auto& [k, n] : chosen) stat += " " + std::to_string(n) + " " + k;
    return {changed, {stat}};
  }

  // Multiply-adds per row of the shape's linears: what a prefill step spends on them.
  static double work(const Shape& s) {
    double per_linear = 0;
    for (const ir::Type& w : s.weights) per_linear += static_cast<double>(w.dims[0].value * w.dims[1].value);
    return per_linear * static_cast<double>(s.ops.size());
  }

  // "q4_kx16[14336,4096] x512, 32 linears: bf16_tiles 12.1 ms < int8_tiles 15.0 ms < vnni 30.2 ms"
  static std::string describe(const Shape& s, int64_t rows,
                              const std::vector<std::pair<double, PrefillKernel>>& times) {
    std::string out = weights_text(s.weights) + " x" + std::to_string(rows) + ", " + std::to_string(s.ops.size()) +
                      (s.ops.size() == 1 ? " linear:" : " linears:");
    for (size_t i = 0; i < times.size(); ++i) {
      const bool tie = i && times[i].first == times[i - 1].first;
      out += std::string(i ? (tie ? " = " : " < ") : " ") + ir::prefill_kernel_name(times[i].second) + " " +
             ms_text(times[i].first);
    }
    return out;
  }
};

}  // namespace

std::unique_ptr<Pass> create_tune_prefill_pass() { return std::make_unique<TunePrefill>(); }

}  // namespace lmc::passes

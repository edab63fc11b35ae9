// quant-threshold: decides per linear weight (and per experts' stacked weight, by one
// expert's [N, K]) whether it keeps the blocks its file stores, stays F32 or becomes Q8_0.
// Q8_0 reads ~3.8x fewer bytes, which is what a memory-bound decode step costs, but a
// small projection gains little and pays for quantizing its activations; the earlier
// runtime's last lesson was to quantize only when max(in, out) >= d_model.
//
// Rule mode (default): quantize when max(in, out) >= min-dim, where min-dim is the
// option (flag --quant-min-dim) or else d_model: the width of the embedding's output, or
// in a graph without one (a block under study) the input width most linears read (the
// hidden width in a transformer block; the widest of equals), said in a remark.
// Measured mode (mode=measured, --quant-mode=measured): ask the cost model to time both
// kernels for the shape on this machine (Q8_0 in its faster layout, row-major or the
// panels weight-panels chooses) and keep the faster. Every decision is a remark.
// A weight shared with an embedding (tied embeddings) is decided once for both users,
// so only one packed table exists.
// The file's precision (the default; requantize=q8_0, --requantize=q8_0, turns it off): a
// weight whose file stores it in a block type the linear kernels read (param {stored =
// q4_0|q4_1|q5_0|q5_1|q4_k|q5_k|q6_k|q3_k|q2_k|iq4_nl|iq4_xs}, also through fusions' concats and a shard's slices
// of whole rows or blocks) keeps those blocks: fewer bytes than Q8_0 (0.5625 a value for
// q4_k against 1.0625) and no second rounding. A table an embedding reads (tied to the
// logits or its own) keeps them too: the gather decodes the file's blocks.
// A weight that arrives with each call (a graph argument, or made from one: `lmc exec` on a
// graph under study) stays f32, in either mode, with a remark: no fold can quantize it
// once, and quantizing it on every call would read its f32 values anyway, which is all a
// memory-bound f32 linear reads, then write and read its Q8_0 copy besides. So it cannot
// pay, and no quantize op is left for a kernel that does not exist.
// A linear inside a fusion region (a pass that grouped ops ran first) is decided as if it
// stood alone: its weight is the region's operand, quantized outside it, and the body's
// argument takes the new type, so grouping ops never changes what this pass decides.
#include <map>
#include <sstream>

#include "ir/builder.h"
#include "ir/op_registry.h"
#include "passes/api/pattern.h"
#include "passes/transforms/builtin_passes.h"
#include "support/error.h"

namespace lmc::passes {

namespace {

// d_model, and when no embedding gives it, how it was found.
std::pair<int64_t, std::string> model_width(ir::Graph& g) {
  for (ir::Op* e : ops_of_kind(g, "embedding")) return {e->result()->type().dims.back().value, ""};
  std::map<int64_t, int> readers;  // a linear input width -> linears reading it
  for (auto& op : g.ops())
    for (const ir::Op* l : ir::ops_run_by(*op))  // a region's linears count too
      if (l->kind() == "linear") ++readers[l->operand(0)->type().dims.back().value];
  int64_t width = 0, most = 0;
  for (auto [w, n] : readers)  // ascending widths: the widest of equals wins
    if (n >= most) {
      width = w;
      most = n;
    }
  return {width, "no embedding: the input width most linears read"};
}

// Why a weight that is not a param (nor made from params) keeps its type.
constexpr const char* kArrivesEachCall =
    "it arrives with each call (a graph argument, not a param), so quantizing it would read its 4 bytes a value "
    "each call, what the f32 linear reads, and write and read its q8_0 copy besides";

// Where a weight is read: operand `operand` of `op` (a linear, the experts' linear, or a
// fusion whose body reads it as one of theirs), and the body arguments bound to it.
struct WeightSite {
  ir::Op* op;
  size_t operand;
  std::vector<ir::Value*> bound;
};

class QuantThreshold : public Pass {
 public:
  std::string summary() const override { return "choose F32, Q8_0 or the file's blocks per linear weight"; }

  std::vector<PassOption> options() const override {
    PassOption min_dim;
    min_dim.name = "min-dim";
    min_dim.kind = OptionKind::Int;
    min_dim.help = "quantize a linear when max(in, out) >= N (default: d_model)";
    min_dim.flag = "quant-min-dim";
    min_dim.min = 1;
    min_dim.max = int64_t{1} << 40;
    PassOption mode;
    mode.name = "mode";
    mode.kind = OptionKind::Choice;
    mode.help = "'rule' (by size) or 'measured' (time both kernels here)";
    mode.default_value = "rule";
    mode.choices = {"rule", "measured"};
    mode.flag = "quant-mode";
    PassOption requantize;
    requantize.name = "requantize";
    requantize.kind = OptionKind::Choice;
    requantize.help =
        "'none' keeps the blocks a weight is stored in when the kernels read them (q4_0 ... q6_k, q3_k, q2_k, iq4_nl, "
        "iq4_xs); "
        "'q8_0' decides those weights as F32 ones";
    requantize.default_value = "none";
    requantize.choices = {"none", "q8_0"};
    requantize.flag = "requantize";
    return {min_dim, mode, requantize};
  }

  PassResult run(ir::Graph& g, PassContext& ctx) override {
    auto [d_model, width_source] = model_width(g);
    int64_t min_dim = int_option("min-dim", d_model);
    std::string mode = *option("mode");
    if (mode == "measured" && !ctx.cost_model) throw Error("quant-threshold{mode=measured} needs a cost model");
    if (mode == "rule" && !option("min-dim") && !width_source.empty() && d_model > 0)
      ctx.remark(name(), "@" + g.name(), "d_model " + std::to_string(d_model) + ": " + width_source,
                 RemarkKind::Analysis);

    bool keep_source = *option("requantize") == "none";
    int quantized = 0, kept = 0, source = 0;
    for (const WeightSite& site : weight_sites(g)) {
      ir::Value* w = site.op->operand(site.operand);
      if (w->type().dtype != ir::DType::f32) continue;
      const size_t rank = w->type().rank();
      int64_t n = w->type().dims[rank - 2].value, k = w->type().dims[rank - 1].value;
      std::string shape = shape_text(w->type());
      if (!known_at_compile_time(w)) {
        ctx.remark(name(), w->name(), shape + " stays f32: " + kArrivesEachCall, RemarkKind::Missed);
        ++kept;
        continue;
      }
      std::optional<ir::DType> stored = stored_type(w);
      if (stored && keep_source) {
        ctx.remark(name(), w->name(),
                   shape + " keeps the file's " + std::string(ir::dtype_name(*stored)) +
                       " blocks: " + bytes_per_value(*stored) + " bytes a value against q8_0's " +
                       bytes_per_value(ir::DType::q8_0) + ", no second rounding");
        convert_weight(g, w, *stored, site);
        ++source;
        continue;
      }
      std::string reason;
      bool quantize = mode == "rule" ? decide_by_rule(n, k, min_dim, d_model, reason)
                                     : decide_by_measure(*ctx.cost_model, one_matrix(w->type()), reason);
      if (quantize && k % 32) {
        quantize = false;
        reason = "input dim " + std::to_string(k) + " is not a multiple of 32";
      }
      if (stored)
        reason += "; the file's " + std::string(ir::dtype_name(*stored)) + " blocks requantized (requantize=q8_0)";
      ctx.remark(name(), w->name(), shape + " " + (quantize ? "-> q8_0: " : "stays f32: ") + reason,
                 quantize ? RemarkKind::Passed : RemarkKind::Missed);
      if (quantize) {
        convert_weight(g, w, ir::DType::q8_0, site);
        ++quantized;
      } else {
        ++kept;
      }
    }
    if (keep_source) source += keep_gathered_tables(g, ctx);
    return {quantized + source > 0,
            {"quantized " + std::to_string(quantized) + " linears F32 -> Q8_0, kept " + std::to_string(kept) + " F32" +
             (keep_source ? " and " + std::to_string(source) + " in the file's blocks" : "")}};
  }

 private:
  // Whether `op` reads operand `i` as a linear's weight (each part of a fused one's) or the
  // experts' stacked weights.
  static bool weight_operand(const ir::Op& op, size_t i) {
    return (op.kind() == "linear" && i >= 1) || (op.kind() == "expert_linear" && i == 1);
  }

  // Whether `arg` of a fusion body is read as a weight there (nested bodies looked into);
  // `bound` gets it and the nested arguments bound to it, which take its type.
  static bool read_as_weight(const ir::Graph& body, ir::Value* arg, std::vector<ir::Value*>& bound) {
    bool weight = false;
    std::vector<ir::Value*> nested;
    visit_reads(
        body, arg, [&](ir::Value* v) { nested.push_back(v); },
        [&](const ir::Graph&, ir::Op* user, size_t i) { weight = weight || weight_operand(*user, i); });
    if (weight) bound.insert(bound.end(), nested.begin(), nested.end());
    return weight;
  }

  // Every weight a linear or the experts read, in program order, a fusion's too: a pass
  // that groups ops into a region before this one must not keep its weights f32.
  static std::vector<WeightSite> weight_sites(ir::Graph& g) {
    std::vector<WeightSite> out;
    for (auto& op : g.ops())
      for (size_t i = 0; i < op->operands().size(); ++i) {
        WeightSite site{op.get(), i, {}};
        if (op->body() ? read_as_weight(*op->body(), op->body()->args()[i].get(), site.bound) : weight_operand(*op, i))
          out.push_back(std::move(site));
      }
    return out;
  }

  // An expert's [N, K] of stacked [E, N, K] weights; a linear's weight as it is.
  static ir::Type one_matrix(const ir::Type& t) {
    return ir::Type{t.dtype, {t.dims[t.rank() - 2], t.dims[t.rank() - 1]}};
  }

  // "[N,K]", or "[E,N,K]" for experts.
  static std::string shape_text(const ir::Type& t) {
    std::string s = "[";
    for (size_t i = 0; i < t.rank(); ++i) s += (i ? "," : "") + std::to_string(t.dims[i].value);
    return s + "]";
  }

  static bool decide_by_rule(int64_t n, int64_t k, int64_t min_dim, int64_t d_model, std::string& reason) {
    int64_t m = std::max(n, k);
    std::string bound = std::to_string(min_dim) + (min_dim == d_model ? " (d_model)" : " (quant-min-dim)");
    reason = "max(in, out) = " + std::to_string(m) + (m >= min_dim ? " >= " : " < ") + bound;
    return m >= min_dim;
  }

  // Q8_0 costs what its faster layout costs: weight-panels (after this pass in the default
  // pipeline) stores a weight of whole panels of rows in q8_0x16.
  static bool decide_by_measure(CostModel& cm, const ir::Type& w, std::string& reason) {
    ir::Type q = w;
    q.dtype = ir::DType::q8_0;
    double f32 = cm.linear_seconds(w), q8 = cm.linear_seconds(q);
    if (w.dims[0].value % ir::dtype_panel_rows(ir::DType::q8_0x16) == 0) {
      q.dtype = ir::DType::q8_0x16;
      q8 = std::min(q8, cm.linear_seconds(q));
    }
    reason = "measured f32 " + std::to_string(f32 * 1e6) + " us vs q8_0 " + std::to_string(q8 * 1e6) + " us";
    return q8 < f32;
  }

  // The block type every tensor `w` is made of is stored in, when `w` keeps whole rows
  // and whole blocks of them (params, concats of rows, slices).
  static std::optional<ir::DType> stored_type(const ir::Value* w) {
    const ir::Op* def = w->def();
    if (!def) return std::nullopt;
    if (def->kind() == "param") {
      if (!def->has_attr("stored") || !ir::is_kept_from_source(def->attr_dtype("stored"))) return std::nullopt;
      return def->attr_dtype("stored");
    }
    bool slice = def->kind() == "slice";
    if (!slice && !joins_weight_rows(*def)) return std::nullopt;
    std::optional<ir::DType> t;
    for (const ir::Value* o : def->operands()) {
      auto s = stored_type(o);
      if (!s || (t && *t != *s)) return std::nullopt;
      t = s;
    }
    int64_t block = ir::dtype_block_elems(*t);
    if (slice && def->attr_int("axis") == 1 && (def->attr_int("begin") % block || def->attr_int("size") % block))
      return std::nullopt;
    return t;
  }

  static std::string bytes_per_value(ir::DType t) {
    std::ostringstream s;
    s << static_cast<double>(ir::dtype_block_bytes(t)) / static_cast<double>(ir::dtype_block_elems(t));
    return s.str();
  }

  // A table's blocks as a file stores them (stored_type), or its Q8_0 blocks: requantizing
  // a Q8_0 block's values gives the block back (its largest value is 127 d), and the gather
  // decodes q8_0. (A linear from a Q8_0 file is decided by the rule: requantized, the same.)
  static std::optional<ir::DType> stored_table_type(const ir::Value* t) {
    if (auto s = stored_type(t)) return s;
    const ir::Op* def = t->def();
    if (def && def->kind() == "param" && def->has_attr("stored") && def->attr_dtype("stored") == ir::DType::q8_0)
      return ir::DType::q8_0;
    return std::nullopt;
  }

  // Tables only gathered (untied embeddings) that the file stores in blocks keep them:
  // the gather decodes a row of them, where f32 took 4 bytes a value.
  int keep_gathered_tables(ir::Graph& g, PassContext& ctx) const {
    std::vector<ir::Op*> gathers;
    for (auto& op : g.ops())
      if (ir::traits(*op).gathers_rows) gathers.push_back(op.get());
    int kept = 0;
    for (ir::Op* gather : gathers) {
      ir::Value* t = gather->operand(0);
      std::optional<ir::DType> stored = t->type().dtype == ir::DType::f32 ? stored_table_type(t) : std::nullopt;
      if (!stored) continue;
      ctx.remark(name(), t->name(),
                 t->type().str() + " table keeps the file's " + std::string(ir::dtype_name(*stored)) +
                     " blocks: " + bytes_per_value(*stored) + " bytes a value against f32's 4");
      point_gathers_at(g, t, quantized(g, t, *stored));
      ++kept;
    }
    return kept;
  }

  // Inserts quantize(w) to `dtype` after w's definition and points the site's operand (a
  // fusion's body arguments bound to it retyped) and every gather reading the same weight
  // (a tied table) at it.
  static void convert_weight(ir::Graph& g, ir::Value* w, ir::DType dtype, const WeightSite& site) {
    ir::Value* q = quantized(g, w, dtype);
    site.op->set_operand(site.operand, q);
    retype(site.bound, dtype);
    point_gathers_at(g, w, q);
  }

  static ir::Value* quantized(ir::Graph& g, ir::Value* w, ir::DType dtype) {
    ir::Builder b(g, w->def() ? std::next(g.find(w->def())) : g.ops().begin());
    std::string suffix = dtype == ir::DType::q8_0 ? "_q8" : "_" + std::string(ir::dtype_name(dtype));
    return b.op("quantize", {w}, {{"dtype", dtype}}, w->name() + suffix);
  }

  static void point_gathers_at(ir::Graph& g, ir::Value* w, ir::Value* q) {
    for (ir::Op* user : g.users(w))
      if (ir::traits(*user).gathers_rows && user->operand(0) == w) user->set_operand(0, q);
  }
};

}  // namespace

std::unique_ptr<Pass> create_quant_threshold_pass() { return std::make_unique<QuantThreshold>(); }

}  // namespace lmc::passes

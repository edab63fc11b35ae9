// Every op of the IR: its operand counts, attributes, shape rule (ir/shape_rules.h),
// summary and traits. Semantics the kernels implement are in docs/ir.md.
#include <algorithm>
#include <cctype>
#include <deque>

#include "ir/op_registry.h"
#include "ir/prefill_kernel.h"
#include "ir/shape_rules.h"
#include "support/error.h"

namespace lmc::ir {

namespace {

using namespace shape_rules;
using K = AttrKind;
using R = OpRole;
using namespace sx;

OpTraits role(R r) { return OpTraits{.role = r}; }
OpTraits no_kernel(R r) { return OpTraits{.role = r, .kernel = false, .aliases_operand = r == R::View}; }
OpTraits aliasing(R r) { return OpTraits{.role = r, .aliases_operand = true}; }
OpTraits slicing() { return OpTraits{.role = R::View, .slices = true}; }
OpTraits gather_anchor() { return OpTraits{.role = R::Anchor, .gathers_rows = true, .epilogue = true}; }
OpTraits epilogue_anchor() { return OpTraits{.role = R::Anchor, .epilogue = true}; }
OpTraits prologue_anchor() { return OpTraits{.role = R::Anchor, .input_prologue = true, .epilogue = true}; }
OpTraits elementwise(ScalarExpr e, bool commutative = false) {
  return OpTraits{.role = R::Elementwise, .commutative = commutative, .expr = std::move(e)};
}
OpTraits reduction(RowReduction r) { return OpTraits{.role = R::RowReduction, .reduction = std::move(r)}; }

// x cos + partner sin, the sine signed toward the partner: each pair turns by its angle.
OpTraits rotation() {
  OpTraits t = role(R::Rotation);
  t.rotation.value = fma(sx::in(0), table(0), mul(partner(0), table(1)));
  return t;
}
OpTraits summing_collective() {
  OpTraits t = no_kernel(R::Collective);
  t.sums_ranks = true;
  return t;
}
OpTraits grouped(OpTraits t, ColumnGroups g) {
  t.column_groups = g;
  return t;
}
OpTraits with_caches(OpTraits t, unsigned operands, unsigned values = 0) {
  t.cache_operands = operands;
  t.value_cache_operands = values;
  return t;
}

OpTraits with_panels(OpTraits t, unsigned operands) {
  t.panel_operands = operands;
  return t;
}

// An anchor whose prefill kernel the `prefill` attribute may choose among `kernels`.
OpTraits with_prefill(OpTraits t, std::initializer_list<PrefillKernel> kernels) {
  for (PrefillKernel k : kernels) t.prefill_kernels |= prefill_bit(k);
  return t;
}

OpTraits expert_reader() {
  OpTraits t = with_panels(role(R::Other), 1u << 1);
  t.selects_experts = true;
  return t;
}

// 1 / sqrt(mean + eps), the factor both norms scale by.
ScalarExpr inv_sqrt_mean_plus_eps() { return div(c(1), sqrt(add(div(acc(), count()), attr("eps")))); }

// x / (1 + e^-x)
ScalarExpr silu_expr() { return div(sx::in(0), add(exp(neg(sx::in(0))), c(1))); }

// 1 / (1 + e^-x)
ScalarExpr sigmoid_expr() { return div(c(1), add(exp(neg(sx::in(0))), c(1))); }

// 0.5 x (1 + tanh(u)) written as x / (1 + e^-2u), u = sqrt(2/pi) (x + 0.044715 x^3):
// no cancellation for negative x.
ScalarExpr gelu_tanh_expr() {
  ScalarExpr x3 = mul(mul(sx::in(0), sx::in(0)), sx::in(0));
  ScalarExpr u = mul(fma(x3, c(0.044715), sx::in(0)), c(0.7978845608028654));
  return div(sx::in(0), add(exp(mul(u, c(-2.0))), c(1)));
}

// 0.5 x erfc(-x/sqrt2): for x < 0 from erfc(|x|/sqrt2) directly (keeps relative
// accuracy in the tail), for x >= 0 as x - 0.5 x erfc(x/sqrt2).
ScalarExpr gelu_expr() {
  ScalarExpr half_x_e = mul(mul(sx::in(0), c(0.5)), erfc_nonneg(mul(abs(sx::in(0)), c(0.70710678118654752))));
  return select_negative(sx::in(0), half_x_e, sub(sx::in(0), half_x_e));
}

// x / rms(x) * (w + offset), per group of w's length.
RowReduction rms_norm_def() {
  return RowReduction{{{Combine::Sum, mul(sx::in(0), sx::in(0)), inv_sqrt_mean_plus_eps()}},
                      mul(mul(sx::in(0), stat(0)), add(sx::in(1), attr_or("offset", 0.0))),
                      1};
}

// (x - mean) / std * w + b, the variance taken around the mean in a second pass.
RowReduction layer_norm_def() {
  ScalarExpr centered = sub(sx::in(0), stat(0));
  return RowReduction{{{Combine::Sum, sx::in(0), div(acc(), count())},
                       {Combine::Sum, mul(centered, centered), inv_sqrt_mean_plus_eps()}},
                      fma(mul(centered, stat(1)), sx::in(1), sx::in(2)),
                      -1};
}

const std::vector<OpDef> kOps = {
    {"param",
     0,
     0,
     {{"name", K::String, true}, {"stored", K::DType, false}},
     nullptr,
     "a weight tensor from the weight store (stored: the block type its file holds it in, which "
     "quant-threshold may keep)",
     no_kernel(R::Weight)},
    {"embedding",
     2,
     2,
     {{"begin", K::Int, false}, {"vocab", K::Int, false}},
     embedding,
     "rows of a table selected by token ids",
     with_panels(gather_anchor(), 1u << 0)},
    {"rms_norm",
     2,
     2,
     {{"eps", K::Float, true}, {"offset", K::Float, false}},
     rms_norm,
     "x / rms(x) * (w + offset), per group of w's length",
     grouped(reduction(rms_norm_def()), ColumnGroups::Weight)},
    {"layer_norm",
     3,
     3,
     {{"eps", K::Float, true}},
     layer_norm,
     "(x - mean) / std * w + b",
     reduction(layer_norm_def())},
    {"linear",
     2,
     -1,
     {{"prefill", K::String, false}},
     linear,
     "x · wᵀ (w: one weight, or parts of its rows, each in its own dtype)",
     with_prefill(with_panels(prologue_anchor(), ~1u),
                  {PrefillKernel::Vnni, PrefillKernel::Int8Tiles, PrefillKernel::Bf16Tiles})},
    {"add",
     2,
     2,
     {},
     binary,
     "elementwise sum (operand 1 may be one row, or one column [R, 1])",
     elementwise(add(sx::in(0), sx::in(1)), true)},
    {"mul",
     2,
     2,
     {},
     binary,
     "elementwise product (operand 1 may be one row, or one column [R, 1])",
     elementwise(mul(sx::in(0), sx::in(1)), true)},
    {"scale",
     1,
     1,
     {{"factor", K::Float, true}},
     same_as_first,
     "x * factor",
     elementwise(mul(sx::in(0), attr("factor")))},
    {"gelu", 1, 1, {}, same_as_first, "GELU (erf form)", elementwise(gelu_expr())},
    {"gelu_tanh", 1, 1, {}, same_as_first, "GELU (tanh approximation)", elementwise(gelu_tanh_expr())},
    {"silu", 1, 1, {}, same_as_first, "x * sigmoid(x)", elementwise(silu_expr())},
    {"sigmoid", 1, 1, {}, same_as_first, "1 / (1 + e^-x)", elementwise(sigmoid_expr())},
    {"tanh",
     1,
     1,
     {},
     same_as_first,
     "hyperbolic tangent (a soft-cap c * tanh(x / c) is scale, tanh, scale)",
     elementwise(sx::tanh(sx::in(0)))},
    {"rope",
     2,
     3,
     {{"head_dim", K::Int, true},
      {"base", K::Float, true},
      {"style", K::String, true},
      {"scaling", K::String, false},
      {"factor", K::Float, false},
      {"low_freq_factor", K::Float, false},
      {"high_freq_factor", K::Float, false},
      {"original_context", K::Float, false},
      {"beta_fast", K::Float, false},
      {"beta_slow", K::Float, false},
      {"attn_factor", K::Float, false},
      {"rotary_dim", K::Int, false}},
     rope,
     "rotary position embedding per head, at each row's position",
     grouped(rotation(), ColumnGroups::Head)},
    {"kv_write",
     4,
     4,
     {{"window", K::Int, false}},
     kv_write,
     "writes each row into its sequence's KV cache (a ring, or pages of a window's table) at its position; "
     "aliases the cache",
     with_caches(aliasing(R::View), 1u << 0)},
    {"attention",
     5,
     6,
     {{"n_heads", K::Int, true},
      {"n_kv_heads", K::Int, true},
      {"head_dim", K::Int, true},
      {"scale", K::Float, true},
      {"window", K::Int, false},
      {"softcap", K::Float, false},
      {"causal", K::Int, false},
      {"prefill", K::String, false}},
     attention,
     "grouped-query attention of each row over its sequence's KV cache: causal, up to each row's "
     "key_ends (operand 5) when given, or (causal = 0) bidirectional over the keys up to its "
     "sequence's last row of the step",
     with_prefill(with_caches(epilogue_anchor(), 1u << 1 | 1u << 2, 1u << 2),
                  {PrefillKernel::Vnni, PrefillKernel::Bf16Tiles})},
    {"moe_route",
     1,
     1,
     {{"k", K::Int, true}, {"scoring", K::String, true}, {"norm_topk", K::Int, false}},
     moe_route,
     "each row's k experts (i32[R,k]) and their weights (f32[R,k]) from its router logits",
     role(R::Other)},
    {"expert_linear",
     3,
     3,
     {},
     expert_linear,
     "x · w[e]ᵀ for each expert e a row's ids name, of stacked weights [E, N, K]: [R, k, N]",
     expert_reader()},
    {"expert_sum",
     2,
     2,
     {},
     expert_sum,
     "the experts' outputs [R, k, D] summed, each times its gate [R, k]",
     role(R::Other)},
    {"split", 1, 1, {{"axis", K::Int, true}, {"sizes", K::IntList, true}}, split, "slices along an axis", slicing()},
    {"concat", 1, -1, {{"axis", K::Int, true}}, concat, "joins along an axis", role(R::WeightTransform)},
    {"reshape", 1, 1, {}, nullptr, "same elements, declared shape", no_kernel(R::View)},
    {"quantize",
     1,
     1,
     {{"dtype", K::DType, true}},
     quantize,
     "converts a weight to a block format",
     role(R::WeightTransform)},
    {"tail_rows", 1, 1, {}, tail_rows, "the last L rows", role(R::View)},
    {"avg_pool",
     1,
     1,
     {{"side", K::Int, true}, {"window", K::Int, true}},
     avg_pool,
     "a side x side grid of rows averaged over window x window squares (Gemma 3's image tokens)",
     role(R::Other)},
    {"slice",
     1,
     1,
     {{"axis", K::Int, true}, {"begin", K::Int, true}, {"size", K::Int, true}},
     slice,
     "rows (axis 0) or columns (axis 1) [begin, begin + size) of a weight: a rank's share",
     role(R::WeightTransform)},
    {"all_reduce",
     1,
     1,
     {{"ranks", K::Int, true}},
     all_reduce,
     "the sum of every rank's operand",
     summing_collective()},
    {"all_gather",
     1,
     1,
     {{"ranks", K::Int, true}},
     all_gather,
     "every rank's columns side by side, in rank order",
     no_kernel(R::Collective)},
    {"fusion", 0, -1, {}, fusion, "its body's ops as one kernel", role(R::Region)},
};

}  // namespace

// Ops registered at run time; deques, so the OpDefs and the strings they point to stay put.
struct RegisteredOps {
  std::deque<OpDef> defs;
  std::deque<std::string> strings;
};

namespace {

RegisteredOps* g_registered = nullptr;  // the executable's, once a module was handed it

RegisteredOps& registered() {
  static RegisteredOps own;
  return g_registered ? *g_registered : own;
}

// The operand indices and attribute names `e` reads must exist.
void check_reads(const std::string& name, const ScalarExpr& e, int inputs, const std::vector<std::string>& attrs) {
  if (e.kind == ScalarExpr::Kind::Input && (e.index < 0 || e.index >= inputs))
    throw Error("op '" + name + "': its value reads in(" + std::to_string(e.index) + ") of " + std::to_string(inputs) +
                " operand(s)");
  if (e.kind == ScalarExpr::Kind::Attr && !e.has_default &&
      std::find(attrs.begin(), attrs.end(), e.attr) == attrs.end())
    throw Error("op '" + name + "': its value reads attribute '" + e.attr + "', which it does not declare");
  if (e.kind == ScalarExpr::Kind::Stat || e.kind == ScalarExpr::Kind::Acc || e.kind == ScalarExpr::Kind::Count)
    throw Error("op '" + name + "': an elementwise value cannot read row statistics");
  if (e.kind == ScalarExpr::Kind::Partner || e.kind == ScalarExpr::Kind::Table)
    throw Error("op '" + name + "': an elementwise value cannot read a pair partner or a row table");
  for (const ScalarExpr& a : e.args) check_reads(name, a, inputs, attrs);
}

bool is_identifier(const std::string& s) {
  if (s.empty() || std::isdigit(static_cast<unsigned char>(s[0]))) return false;
  return std::all_of(s.begin(), s.end(),
                     [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; });
}

}  // namespace

RegisteredOps* registered_ops() { return &registered(); }
void read_registered_ops(RegisteredOps* executables) { g_registered = executables; }

void register_elementwise_op(const std::string& name, int inputs, const std::vector<std::string>& float_attrs,
                             ScalarExpr value, const std::string& summary) {
  if (!is_identifier(name))
    throw Error("op '" + name + "': a name is letters, digits and _, not starting with a digit");
  if (find_op(name)) throw Error("op '" + name + "' exists already");
  if (inputs != 1 && inputs != 2) throw Error("op '" + name + "': an elementwise op takes 1 or 2 operands");
  check_reads(name, value, inputs, float_attrs);
  RegisteredOps& r = registered();
  OpDef d{r.strings.emplace_back(name),
          inputs,
          inputs,
          {},
          inputs == 1 ? same_as_first : binary,
          r.strings.emplace_back(summary),
          elementwise(std::move(value))};
  for (const std::string& a : float_attrs) d.attrs.push_back({r.strings.emplace_back(a).c_str(), K::Float, true});
  r.defs.push_back(std::move(d));
}

std::vector<const OpDef*> all_ops() {
  std::vector<const OpDef*> out;
  for (const OpDef& d : kOps) out.push_back(&d);
  for (const OpDef& d : registered().defs) out.push_back(&d);
  return out;
}

const OpDef* find_op(std::string_view name) {
  for (const auto& d : kOps)
    if (d.name == name) return &d;
  for (const auto& d : registered().defs)
    if (d.name == name) return &d;
  return nullptr;
}

const OpTraits& traits(const Op& op) {
  const OpDef* d = op.definition();
  if (!d) throw Error(op.where() + " is not a known op");
  return d->traits;
}

bool runs_kernel(const Op& op) { return traits(op).kernel; }
bool aliases_operand(const Op& op) { return traits(op).aliases_operand; }
bool is_role(const Op& op, OpRole role) { return traits(op).role == role; }
bool has_own_storage(const Op& op) {
  return (runs_kernel(op) || is_role(op, OpRole::Collective)) && !aliases_operand(op);
}
bool computes_weight(const Op& op) { return is_role(op, OpRole::Weight) || is_role(op, OpRole::WeightTransform); }
bool writes_in_place(const Op& op) { return traits(op).kernel && traits(op).aliases_operand; }
bool is_pure_view(const Op& op) { return !traits(op).kernel && traits(op).aliases_operand; }
bool reads_cache(const Op& op, size_t i) { return i < 32 && (traits(op).cache_operands >> i & 1u); }
bool reads_value_cache(const Op& op, size_t i) { return i < 32 && (traits(op).value_cache_operands >> i & 1u); }
bool reads_panels(const Op& op, size_t i) { return i < 32 && (traits(op).panel_operands >> i & 1u); }
bool is_cache_dtype(DType t) { return t == DType::f32 || t == DType::f16 || t == DType::q8_0; }

const char* role_name(OpRole role) {
  switch (role) {
    case OpRole::Weight:
      return "weight";
    case OpRole::WeightTransform:
      return "weight-transform";
    case OpRole::Elementwise:
      return "elementwise";
    case OpRole::RowReduction:
      return "row-reduction";
    case OpRole::Rotation:
      return "rotation";
    case OpRole::Anchor:
      return "anchor";
    case OpRole::View:
      return "view";
    case OpRole::Region:
      return "region";
    case OpRole::Other:
      return "kernel";
    case OpRole::Collective:
      return "collective";
  }
  return "?";
}

}  // namespace lmc::ir

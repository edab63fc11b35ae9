#include "ir/shape_rules.h"

#include <algorithm>
#include <cmath>

#include "ir/op_registry.h"
#include "support/checked_math.h"
#include "support/error.h"

namespace lmc::ir {

namespace {

// Rules report only what is wrong; the verifier and builder say which op.
[[noreturn]] void fail(const Op&, const std::string& what) { throw Error(what); }

const Type& in(const Op& op, size_t i) { return op.operand(i)->type(); }

void expect_rank(const Op& op, size_t i, size_t rank) {
  if (in(op, i).rank() != rank)
    fail(op, "operand " + std::to_string(i) + " must have rank " + std::to_string(rank) + ", has " + in(op, i).str());
}

void expect_dtype(const Op& op, size_t i, DType d) {
  if (in(op, i).dtype != d)
    fail(op, "operand " + std::to_string(i) + " must be " + std::string(dtype_name(d)) + ", is " + in(op, i).str());
}

void expect_dim(const Op& op, const Dim& got, const Dim& want, const std::string& what) {
  if (!(got == want)) fail(op, what + " is " + got.str() + ", expected " + want.str());
}

Type with_last(Type t, Dim d) {
  t.dims.back() = d;
  return t;
}

// Activations: f32 rows whose leading dims are free and whose last dim is the feature dim.
void expect_activation(const Op& op, size_t i) {
  expect_dtype(op, i, DType::f32);
  if (in(op, i).rank() < 1) fail(op, "operand " + std::to_string(i) + " must have rank >= 1");
}

// Per-row ids (positions, sequence slots): i32[R], one for each of operand `rows_of`'s rows.
void expect_row_ids(const Op& op, size_t i, size_t rows_of) {
  expect_dtype(op, i, DType::i32);
  expect_rank(op, i, 1);
  expect_rank(op, rows_of, 2);
  expect_dim(op, in(op, i).dims[0], in(op, rows_of).dims[0], "operand " + std::to_string(i) + " length");
}

int64_t static_dim(const Op& op, const Dim& d, const std::string& what) {
  if (!d.is_static()) fail(op, what + " must be a constant dim, is " + d.str());
  return d.value;
}

// A float attribute that must be a finite number >= 0 (eps, softcap): NaN, inf or a
// negative value would turn every output of the kernel into NaN.
void expect_nonnegative(const Op& op, const std::string& attr) {
  double v = op.attr_float(attr);
  if (!std::isfinite(v) || v < 0) fail(op, attr + " must be a finite number >= 0, is " + std::to_string(v));
}

std::vector<Type> same_as_first(const Op& op) {
  expect_activation(op, 0);
  return {in(op, 0)};
}

// Operand 1 has operand 0's type, or is one row of it ([D] against [R, D]), which
// then applies to every row (a bias), or one column ([R, 1] against [R, D]), one number
// per row for all its columns (a gate).
std::vector<Type> binary(const Op& op) {
  expect_activation(op, 0);
  const Type& x = in(op, 0);
  const Type& y = in(op, 1);
  bool row = y.dtype == DType::f32 && y.rank() == 1 && x.rank() == 2 && y.dims[0] == x.dims.back();
  bool column = y.dtype == DType::f32 && y.rank() == 2 && x.rank() == 2 && y.dims[0] == x.dims[0] &&
                y.dims[1].is_static() && y.dims[1].value == 1;
  if (!(y == x) && !row && !column) fail(op, "operands differ: " + x.str() + " vs " + y.str());
  return {x};
}

// With `begin` the table holds rows [begin, begin + rows) of a `vocab`-row table (one
// rank's share): ids outside them give zero rows.
std::vector<Type> embedding(const Op& op) {
  expect_rank(op, 0, 2);
  expect_dtype(op, 1, DType::i32);
  if (op.has_attr("begin") != op.has_attr("vocab")) fail(op, "begin and vocab go together");
  if (op.has_attr("begin")) {
    int64_t rows = static_dim(op, in(op, 0).dims[0], "table rows");
    int64_t begin = op.attr_int("begin"), vocab = op.attr_int("vocab");
    if (begin < 0 || vocab < rows || begin > vocab - rows)
      fail(op, "rows [" + std::to_string(begin) + ", +" + std::to_string(rows) + ") are not inside a vocab of " +
                   std::to_string(vocab));
  }
  Type r{DType::f32, in(op, 1).dims};
  r.dims.push_back(in(op, 0).dims[1]);
  return {r};
}

std::vector<Type> rms_norm(const Op& op) {
  expect_activation(op, 0);
  expect_rank(op, 1, 1);
  int64_t d = static_dim(op, in(op, 0).dims.back(), "feature dim");
  int64_t g = static_dim(op, in(op, 1).dims[0], "weight dim");
  if (g <= 0 || d % g) fail(op, "weight dim " + std::to_string(g) + " does not divide " + std::to_string(d));
  expect_nonnegative(op, "eps");
  return {in(op, 0)};
}

std::vector<Type> layer_norm(const Op& op) {
  expect_activation(op, 0);
  for (size_t i : {1, 2}) {
    expect_rank(op, i, 1);
    expect_dim(op, in(op, i).dims[0], in(op, 0).dims.back(), "operand " + std::to_string(i) + " dim");
  }
  expect_nonnegative(op, "eps");
  return {in(op, 0)};
}

// x[..,K] · w[N,K]ᵀ. A bias, a residual or an activation of the input are ops of
// their own; fusion regions put them in the kernel. Several weights are one weight of
// their rows stacked, each part in its own dtype (siblings fused across block types).
std::vector<Type> linear(const Op& op) {
  expect_activation(op, 0);
  const size_t parts = op.operands().size() - 1;
  int64_t rows = 0;
  for (size_t i = 1; i <= parts; ++i) {
    expect_rank(op, i, 2);
    expect_dim(op, in(op, i).dims[1], in(op, 0).dims.back(), "weight input dim");
    if (parts > 1) rows = checked_add(rows, static_dim(op, in(op, i).dims[0], "a weight part's rows"), "weight rows");
  }
  return {with_last(in(op, 0), parts == 1 ? in(op, 1).dims[0] : Dim::of(rows))};
}

// A fusion's operands bind its body's arguments; its results are what the body yields.
// The verifier checks the body itself.
std::vector<Type> fusion(const Op& op) {
  const Graph* body = op.body();
  if (!body) fail(op, "has no body");
  if (body->args().size() != op.operands().size())
    fail(op, "has " + std::to_string(op.operands().size()) + " operands but its body takes " +
                 std::to_string(body->args().size()));
  for (size_t i = 0; i < body->args().size(); ++i)
    if (!(body->args()[i]->type() == in(op, i)))
      fail(op, "operand " + std::to_string(i) + " is " + in(op, i).str() + " but body argument %" +
                   body->args()[i]->name() + " is " + body->args()[i]->type().str());
  std::vector<Type> out;
  for (const Value* v : body->outputs()) out.push_back(v->type());
  return out;
}

// RoPE's scalings (docs/ir.md): `linear` divides every frequency by `factor`; `llama3`
// divides the low frequencies by it and blends the middle band (`low_freq_factor`,
// `high_freq_factor`, `original_context`); `yarn` likewise over a ramp of pairs
// (`original_context`, optional `beta_fast`, `beta_slow`); `dynamic` (dynamic NTK) grows
// the base with the row's position past `original_context` by `factor`; operand 2, when given, divides
// pair i's by its value (GGUF's rope_freqs.weight); `attn_factor` scales cos and sin.
void check_rope_scaling(const Op& op) {
  const std::string scaling = op.has_attr("scaling") ? op.attr_str("scaling") : "none";
  auto positive = [&](const char* name) {
    if (!op.has_attr(name)) fail(op, "scaling \"" + scaling + "\" needs attribute " + name);
    double v = op.attr_float(name);
    if (!std::isfinite(v) || v <= 0) fail(op, std::string(name) + " must be a finite number > 0");
    return v;
  };
  if (op.has_attr("attn_factor")) positive("attn_factor");
  if (scaling == "none") return;
  if (scaling != "linear" && scaling != "llama3" && scaling != "yarn" && scaling != "dynamic")
    fail(op, "scaling must be \"none\", \"linear\", \"llama3\", \"yarn\" or \"dynamic\"");
  positive("factor");
  if (scaling == "linear") return;
  positive("original_context");
  if (scaling == "dynamic") return;
  if (scaling == "yarn") {
    double fast = op.has_attr("beta_fast") ? positive("beta_fast") : 32;
    double slow = op.has_attr("beta_slow") ? positive("beta_slow") : 1;
    if (!(fast > slow)) fail(op, "beta_fast must exceed beta_slow");
    return;
  }
  if (!(positive("high_freq_factor") > positive("low_freq_factor")))
    fail(op, "high_freq_factor must exceed low_freq_factor");
}

std::vector<Type> rope(const Op& op) {
  expect_activation(op, 0);
  expect_row_ids(op, 1, 0);
  int64_t d = static_dim(op, in(op, 0).dims.back(), "feature dim");
  int64_t hd = op.attr_int("head_dim");
  if (hd <= 0 || hd % 2 || d % hd) fail(op, "head_dim " + std::to_string(hd) + " does not fit " + std::to_string(d));
  const std::string& style = op.attr_str("style");
  if (style != "neox" && style != "normal") fail(op, "style must be \"neox\" or \"normal\"");
  double base = op.attr_float("base");
  if (!std::isfinite(base) || base <= 0) fail(op, "base must be a finite number > 0, is " + std::to_string(base));
  check_rope_scaling(op);
  // Partial rotary (Phi-4-mini, StableLM): the first rotary_dim features of a head turn,
  // the rest pass through.
  int64_t rd = op.has_attr("rotary_dim") ? op.attr_int("rotary_dim") : hd;
  if (rd <= 0 || rd % 2 || rd > hd)
    fail(op, "rotary_dim " + std::to_string(rd) + " must be even and within head_dim " + std::to_string(hd));
  // Dynamic NTK's base grows by a power d / (d - 2) of the rotary dim d.
  if (op.has_attr("scaling") && op.attr_str("scaling") == "dynamic" && rd < 4)
    fail(op, "dynamic scaling needs a rotary dim of at least 4, is " + std::to_string(rd));
  if (op.operands().size() == 3 && !(in(op, 2) == Type{DType::f32, {Dim::of(rd / 2)}}))
    fail(op, "frequency factors must be f32[" + std::to_string(rd / 2) + "] (one per pair), got " + in(op, 2).str());
  return {in(op, 0)};
}

// A KV cache [rows, width] stored in a cache dtype; q8_0 blocks of 32 values must not
// straddle the `group`s of columns its reader takes apart (attention's heads; 0: the row).
void expect_cache(const Op& op, size_t i, int64_t group) {
  expect_rank(op, i, 2);
  const Type& t = in(op, i);
  if (!is_cache_dtype(t.dtype))
    fail(op, "operand " + std::to_string(i) + " must be a cache of f32, f16 or q8_0, is " + t.str());
  int64_t width = static_dim(op, t.dims[1], "cache width");
  if (group == 0) group = width;
  int64_t block = dtype_block_elems(t.dtype);
  if (width % block || group % block)
    fail(op, "a " + std::string(dtype_name(t.dtype)) + " cache needs whole blocks of " + std::to_string(block) +
                 " per head: width " + std::to_string(width) + ", head " + std::to_string(group));
}

std::vector<Type> kv_write(const Op& op) {
  expect_cache(op, 0, 0);
  expect_activation(op, 1);
  expect_row_ids(op, 2, 1);
  expect_row_ids(op, 3, 1);
  expect_dim(op, in(op, 1).dims.back(), in(op, 0).dims[1], "row width");
  // A ring's rows are constant; a cache holding every position has C rows, the context.
  const Dim& rows = in(op, 0).dims[0];
  if (rows.sym && *rows.sym != Sym::C) fail(op, "cache rows must be a constant or C, is " + rows.str());
  // A window's cache of C rows is paged through the window's own table (codegen/kernel_abi.h).
  if (op.has_attr("window") && (op.attr_int("window") <= 0 || !rows.sym))
    fail(op, "window must be positive, on a cache of C rows");
  return {in(op, 0)};
}

std::vector<Type> attention(const Op& op) {
  expect_activation(op, 0);
  expect_row_ids(op, 3, 0);
  expect_row_ids(op, 4, 0);
  if (op.operands().size() == 6) expect_row_ids(op, 5, 0);  // key_ends: each row's last key
  int64_t h = op.attr_int("n_heads"), hk = op.attr_int("n_kv_heads"), hd = op.attr_int("head_dim");
  if (h <= 0 || hk <= 0 || hd <= 0 || h % hk) fail(op, "n_heads must be a positive multiple of n_kv_heads");
  expect_cache(op, 1, hd);
  expect_cache(op, 2, hd);
  expect_dim(op, in(op, 0).dims.back(), Dim::of(checked_mul(h, hd, "n_heads * head_dim")), "query width");
  expect_dim(op, in(op, 1).dims[1], Dim::of(checked_mul(hk, hd, "n_kv_heads * head_dim")), "key cache width");
  // Keys and values may be stored in different dtypes, as llama.cpp allows.
  if (in(op, 2).dims != in(op, 1).dims) fail(op, "value cache must have the key cache's shape " + in(op, 1).str());
  if (op.has_attr("softcap")) expect_nonnegative(op, "softcap");
  const int64_t window = op.has_attr("window") ? op.attr_int("window") : 0;
  if (window < 0) fail(op, "window must be >= 0");
  const int64_t causal = op.has_attr("causal") ? op.attr_int("causal") : 1;
  if (causal != 0 && causal != 1) fail(op, "causal must be 0 or 1, is " + std::to_string(causal));
  if (!causal && window) fail(op, "bidirectional attention (causal = 0) takes no window");
  if (!causal && op.operands().size() == 6) fail(op, "bidirectional attention (causal = 0) takes no key_ends");
  return {in(op, 0)};
}

// Mixture of experts (docs/ir.md): each row's k experts and their weights from its router
// logits [R, E]: scores by softmax (or sigmoid) over the experts, the k highest (the lower
// index first among equals), their scores renormalized to sum 1 when norm_topk is 1.
std::vector<Type> moe_route(const Op& op) {
  expect_activation(op, 0);
  expect_rank(op, 0, 2);
  int64_t e = static_dim(op, in(op, 0).dims[1], "expert count");
  int64_t k = op.attr_int("k");
  if (k <= 0 || k > e) fail(op, "k must be 1.." + std::to_string(e) + ", is " + std::to_string(k));
  const std::string& scoring = op.attr_str("scoring");
  if (scoring != "softmax" && scoring != "sigmoid") fail(op, "scoring must be \"softmax\" or \"sigmoid\"");
  if (op.has_attr("norm_topk") && op.attr_int("norm_topk") != 0 && op.attr_int("norm_topk") != 1)
    fail(op, "norm_topk must be 0 or 1");
  Dim rows = in(op, 0).dims[0];
  return {Type{DType::i32, {rows, Dim::of(k)}}, Type{DType::f32, {rows, Dim::of(k)}}};
}

// x[R, K] (one input for all of a row's experts) or x[R, k, K] (one per expert slot) through
// the experts ids[R, k] names, of the stacked weights w[E, N, K]: y[R, k, N].
std::vector<Type> expert_linear(const Op& op) {
  expect_activation(op, 0);
  expect_rank(op, 1, 3);
  expect_dtype(op, 2, DType::i32);
  expect_rank(op, 2, 2);
  const Type& x = in(op, 0);
  const Type& w = in(op, 1);
  const Type& ids = in(op, 2);
  expect_dim(op, ids.dims[0], x.dims[0], "ids rows");
  if (x.rank() == 3)
    expect_dim(op, x.dims[1], ids.dims[1], "input slots");
  else if (x.rank() != 2)
    fail(op, "operand 0 must have rank 2 or 3, is " + x.str());
  expect_dim(op, w.dims[2], x.dims.back(), "weight input dim");
  static_dim(op, w.dims[0], "expert count");
  return {Type{DType::f32, {x.dims[0], ids.dims[1], w.dims[1]}}};
}

// y[R, k, D] summed over the slots, slot j weighted by gates[R, j]: [R, D].
std::vector<Type> expert_sum(const Op& op) {
  expect_activation(op, 0);
  expect_rank(op, 0, 3);
  expect_dtype(op, 1, DType::f32);
  expect_rank(op, 1, 2);
  expect_dim(op, in(op, 1).dims[0], in(op, 0).dims[0], "gates rows");
  expect_dim(op, in(op, 1).dims[1], in(op, 0).dims[1], "gates slots");
  return {Type{DType::f32, {in(op, 0).dims[0], in(op, 0).dims[2]}}};
}

std::vector<Type> split(const Op& op) {
  expect_activation(op, 0);
  int64_t axis = op.attr_int("axis");
  const Type& x = in(op, 0);
  if (axis < 0 || axis >= static_cast<int64_t>(x.rank())) fail(op, "axis out of range");
  const auto& sizes = op.attr_ints("sizes");
  // Each size is checked before it is added: sizes whose sum wraps to the right total
  // would otherwise pass, and the kernel would copy past its buffers.
  int64_t total = 0;
  for (int64_t s : sizes) {
    if (s <= 0) fail(op, "sizes must be positive");
    total = checked_add(total, s, "sum of sizes");
  }
  expect_dim(op, Dim::of(total), x.dims[axis], "sum of sizes");
  std::vector<Type> out;
  for (int64_t s : sizes) {
    Type t = x;
    t.dims[axis] = Dim::of(s);
    out.push_back(t);
  }
  return out;
}

std::vector<Type> concat(const Op& op) {
  int64_t axis = op.attr_int("axis");
  Type out = in(op, 0);
  if (axis < 0 || axis >= static_cast<int64_t>(out.rank())) fail(op, "axis out of range");
  int64_t total = 0;
  for (size_t i = 0; i < op.operands().size(); ++i) {
    const Type& t = in(op, i);
    if (t.dtype != out.dtype || t.rank() != out.rank()) fail(op, "operands must agree in dtype and rank");
    for (size_t d = 0; d < t.rank(); ++d)
      if (static_cast<int64_t>(d) != axis) expect_dim(op, t.dims[d], out.dims[d], "dim " + std::to_string(d));
    total = checked_add(total, static_dim(op, t.dims[axis], "concatenated dim"), "concatenated dim");
  }
  out.dims[axis] = Dim::of(total);
  return {out};
}

// A weight [N, K], or experts' weights stacked [E, N, K]: blocks along K, panels of N's rows.
std::vector<Type> quantize(const Op& op) {
  const size_t rank = in(op, 0).rank();
  if (rank != 2 && rank != 3) fail(op, "operand 0 must have rank 2 or 3, is " + in(op, 0).str());
  DType to = op.attr_dtype("dtype");
  int64_t k = static_dim(op, in(op, 0).dims[rank - 1], "input dim");
  if (k % dtype_block_elems(to)) fail(op, "input dim " + std::to_string(k) + " is not a multiple of the block size");
  int64_t n = static_dim(op, in(op, 0).dims[rank - 2], "output dim");
  if (n % dtype_panel_rows(to))
    fail(op, "output dim " + std::to_string(n) + " is not a multiple of the " + std::string(dtype_name(to)) +
                 " panel's " + std::to_string(dtype_panel_rows(to)) + " rows");
  Type out = in(op, 0);
  out.dtype = to;
  return {out};
}

// Columns or rows [begin, begin + size) of a weight: one rank's share.
std::vector<Type> slice(const Op& op) {
  int64_t axis = op.attr_int("axis"), begin = op.attr_int("begin"), size = op.attr_int("size");
  if (in(op, 0).rank() != 1 && in(op, 0).rank() != 2) fail(op, "operand 0 must have rank 1 or 2");
  if (axis < 0 || axis >= static_cast<int64_t>(in(op, 0).rank())) fail(op, "axis out of range");
  int64_t n = static_dim(op, in(op, 0).dims[static_cast<size_t>(axis)], "sliced dim");
  if (begin < 0 || size <= 0 || begin > n || size > n - begin)
    fail(op, "[" + std::to_string(begin) + ", +" + std::to_string(size) + ") is not inside the dim of " +
                 std::to_string(n));
  Type out = in(op, 0);
  out.dims[static_cast<size_t>(axis)] = Dim::of(size);
  return {out};
}

int64_t ranks_attr(const Op& op) {
  int64_t n = op.attr_int("ranks");
  if (n < 2 || n > 4096) fail(op, "ranks must be 2..4096, is " + std::to_string(n));
  return n;
}

std::vector<Type> all_reduce(const Op& op) {
  expect_activation(op, 0);
  ranks_attr(op);
  return {in(op, 0)};
}

// Each rank's columns side by side: rank r's block is columns [r*n, (r+1)*n).
std::vector<Type> all_gather(const Op& op) {
  expect_activation(op, 0);
  expect_rank(op, 0, 2);
  int64_t n = static_dim(op, in(op, 0).dims[1], "gathered dim");
  Type out = in(op, 0);
  out.dims[1] = Dim::of(checked_mul(n, ranks_attr(op), "gathered dim"));
  return {out};
}

std::vector<Type> tail_rows(const Op& op) {
  expect_activation(op, 0);
  expect_rank(op, 0, 2);
  Type out = in(op, 0);
  out.dims[0] = Dim::symbolic(Sym::L);
  return {out};
}

// A grid of side x side rows (row y * side + x: a vision tower's patches) averaged over
// window x window squares into (side / window)² rows, in the same order. The grid's rows
// are side² or the step's T, which a run must then bind to side².
std::vector<Type> avg_pool(const Op& op) {
  expect_activation(op, 0);
  expect_rank(op, 0, 2);
  int64_t side = op.attr_int("side"), window = op.attr_int("window");
  if (side <= 0 || window <= 0 || side % window)
    fail(op,
         "side (" + std::to_string(side) + ") must be a positive multiple of window (" + std::to_string(window) + ")");
  int64_t cells = checked_mul(side, side, "grid rows");
  const Dim& rows = in(op, 0).dims[0];
  if (rows.is_static() ? rows.value != cells : rows.sym != Sym::T)
    fail(op, "operand 0 must have side² = " + std::to_string(cells) + " rows or T, has " + in(op, 0).str());
  Type out = in(op, 0);
  out.dims[0] = Dim::of((side / window) * (side / window));
  return {out};
}

}  // namespace

namespace shape_rules {

const Rule same_as_first = ir::same_as_first;
const Rule binary = ir::binary;
const Rule embedding = ir::embedding;
const Rule rms_norm = ir::rms_norm;
const Rule layer_norm = ir::layer_norm;
const Rule linear = ir::linear;
const Rule fusion = ir::fusion;
const Rule rope = ir::rope;
const Rule kv_write = ir::kv_write;
const Rule attention = ir::attention;
const Rule moe_route = ir::moe_route;
const Rule expert_linear = ir::expert_linear;
const Rule expert_sum = ir::expert_sum;
const Rule split = ir::split;
const Rule concat = ir::concat;
const Rule quantize = ir::quantize;
const Rule slice = ir::slice;
const Rule all_reduce = ir::all_reduce;
const Rule all_gather = ir::all_gather;
const Rule tail_rows = ir::tail_rows;
const Rule avg_pool = ir::avg_pool;

}  // namespace shape_rules

}  // namespace lmc::ir

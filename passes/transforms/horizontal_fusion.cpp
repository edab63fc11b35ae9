#include "passes/transforms/horizontal_fusion.h"

#include <algorithm>
#include <cctype>
#include <optional>

#include "ir/builder.h"
#include "ir/op_registry.h"
#include "passes/api/pattern.h"
#include "passes/api/rewriter.h"

namespace lmc::passes {

namespace {

// "qkv" + the layer suffix of the first sibling ("q_3" -> "qkv_3"), so that the fused
// value still says which layer it belongs to (the profiler attributes time by it).
std::string fused_name(const std::string& base, const std::string& sibling) {
  std::string s = sibling.substr(0, sibling.find('.'));
  size_t us = s.rfind('_');
  if (us == std::string::npos || us + 1 == s.size()) return base;
  for (size_t i = us + 1; i < s.size(); ++i)
    if (!std::isdigit(static_cast<unsigned char>(s[i]))) return base;
  return base + s.substr(us);
}

// The block type the file stores a linear's weight in, if any.
std::optional<ir::DType> stored_blocks(const ir::Op* l) {
  const ir::Op* def = l->operand(1)->def();
  return def && def->kind() == "param" && def->has_attr("stored") ? std::optional(def->attr_dtype("stored"))
                                                                  : std::nullopt;
}

// The siblings in runs of one stored block type, in order: each run's weights stack into
// one part of the fused weight.
std::vector<std::vector<ir::Op*>> runs_by_blocks(const std::vector<ir::Op*>& linears) {
  std::vector<std::vector<ir::Op*>> runs;
  for (ir::Op* l : linears) {
    if (runs.empty() || stored_blocks(runs.back().front()) != stored_blocks(l)) runs.emplace_back();
    runs.back().push_back(l);
  }
  return runs;
}

}  // namespace

ir::Op* bias_add(const ir::Graph& g, const ir::Op* linear) {
  std::vector<ir::Op*> users = g.users(linear->result());
  if (users.size() != 1 || g.is_output(linear->result())) return nullptr;
  ir::Op* add = users[0];
  if (add->kind() != "add" || add->operand(0) != linear->result()) return nullptr;
  const ir::Value* b = add->operand(1);
  return b->type().rank() == 1 && defined_by(b, "param") ? add : nullptr;
}

std::string sibling_fusion_blocker(const ir::Graph& g, const std::vector<ir::Op*>& linears) {
  const ir::Op* first = linears.front();
  const bool experts = ir::traits(*first).selects_experts;  // operand 2: each row's expert ids
  for (const ir::Op* l : linears) {
    if ((l->kind() != "linear" && l->kind() != "expert_linear") || l->kind() != first->kind())
      return "not linears of one kind";
    if (l->operand(0) != first->operand(0)) return "different inputs";
    // Stacked once by fold-weights when they are params; stacking weights that arrive with
    // each call would copy them on every call, for the same bytes read.
    if (!known_at_compile_time(l->operand(1)))
      return "weight %" + l->operand(1)->name() + " arrives with each call (a graph argument, not a param)";
    if (experts && l->operand(2) != first->operand(2)) return "different experts chosen";
    const ir::Type& w = l->operand(1)->type();
    const ir::Type& w0 = first->operand(1)->type();
    if (w.dtype != w0.dtype) return "weights differ in dtype";
    const size_t out = w.rank() - 2;  // the output rows: [N, K], or each expert's [E, N, K]
    for (size_t d = 0; d < w.rank(); ++d)
      if (d != out && !(w.dims[d] == w0.dims[d]))
        return d + 1 == w.rank() ? "weights differ in input dim" : "weights differ in expert count";
    if (!w.dims[out].is_static()) return "symbolic output dim";
    if (!bias_add(g, l) != !bias_add(g, first)) return "biases on some but not all";
    // A linear's weight parts keep their blocks; experts' stacked weights are one dtype,
    // so mixed blocks would be requantized, losing the file's precision.
    if (experts && stored_blocks(l) != stored_blocks(first))
      return "the file stores the experts' weights in different block types";
  }
  return "";
}

std::string block_type_parts(const std::vector<ir::Op*>& linears) {
  const auto runs = runs_by_blocks(linears);
  if (runs.size() == 1) return "";
  std::string out;
  for (const auto& run : runs) {
    std::optional<ir::DType> t = stored_blocks(run.front());
    out += (out.empty() ? "" : ", ") + std::string(t ? ir::dtype_name(*t) : "unstored") + " (";
    for (size_t i = 0; i < run.size(); ++i) out += (i ? " " : "") + std::string("%") + run[i]->result()->name();
    out += ")";
  }
  return out;
}

ir::Op* fuse_sibling_linears(ir::Graph& g, const std::vector<ir::Op*>& linears, const std::string& base) {
  ir::Op* first = first_in_order(g, linears);
  const std::string name = fused_name(base, first->result()->name());
  std::vector<ir::Value*> weights, biases;
  std::vector<ir::Op*> outputs;  // what each sibling's consumers read: the bias add, or the linear
  std::vector<int64_t> sizes;
  for (ir::Op* l : linears) {
    weights.push_back(l->operand(1));
    ir::Op* add = bias_add(g, l);
    if (add) biases.push_back(add->operand(1));
    outputs.push_back(add ? add : l);
    const ir::Type& w = l->operand(1)->type();
    sizes.push_back(w.dims[w.rank() - 2].value);
  }
  std::vector<ir::Value*> needed = weights;
  needed.insert(needed.end(), biases.begin(), biases.end());
  Rewriter rw(g);
  rw.hoist_weights(needed, first);

  ir::Builder b(g, g.find(first));
  // Experts' weights [E, N, K] join along N, each expert's rows; a linear's [N, K] along N too.
  const int64_t rows_axis = static_cast<int64_t>(first->operand(1)->type().rank()) - 2;
  // One part per run of a stored block type, so that no weight is requantized.
  std::vector<ir::Value*> operands{first->operand(0)};
  const auto runs = runs_by_blocks(linears);
  for (size_t r = 0; r < runs.size(); ++r) {
    std::vector<ir::Value*> part;
    for (ir::Op* l : runs[r]) part.push_back(l->operand(1));
    const std::string part_name = runs.size() == 1 ? "w_" + name : "w_" + name + "_" + std::to_string(r);
    operands.push_back(part.size() == 1 ? part[0] : b.op("concat", part, {{"axis", rows_axis}}, part_name));
  }
  if (ir::traits(*first).selects_experts) operands.push_back(first->operand(2));
  ir::Value* fused = b.op(first->kind(), operands, {}, name);
  ir::Value* stacked = fused;
  if (!biases.empty())
    stacked = b.op("add", {fused, b.op("concat", biases, {{"axis", int64_t{0}}}, "b_" + name)}, {}, name + "_b");
  int64_t axis = static_cast<int64_t>(fused->type().rank()) - 1;
  std::vector<std::string> names;
  for (ir::Op* o : outputs) names.push_back(o->result()->name());
  std::vector<ir::Value*> parts = b.create("split", {stacked}, {{"axis", axis}, {"sizes", sizes}}, names);
  for (size_t i = 0; i < outputs.size(); ++i) rw.replace(outputs[i]->result(), parts[i]);
  for (ir::Op* l : linears)
    if (g.find(l) != g.ops().end()) rw.erase(l);
  return fused->def();
}

std::vector<std::string> sorted_names(const std::vector<ir::Op*>& linears) {
  std::vector<std::string> out;
  for (const ir::Op* l : linears) out.push_back(l->result()->name());
  std::sort(out.begin(), out.end());
  return out;
}

std::string projection_in_region(const ir::Value* v) {
  const ir::Op* region = v->def();
  if (!region || !region->body()) return "";
  for (const ir::Op* op : ir::ops_run_by(*region))
    if (op->kind() == "linear" || op->kind() == "expert_linear")
      return "its projection is inside the region " + region->where() +
             " an earlier pass made: place that pass after this one";
  return "";
}

}  // namespace lmc::passes

#include "passes/horizontal_fusion.h"

#include <cctype>

#include "ir/builder.h"
#include "passes/pattern.h"

namespace lmc::passes {

namespace {

bool has_bias(const ir::Op* linear) { return linear->operands().size() == 3; }

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

}  // namespace

std::string sibling_fusion_blocker(const std::vector<ir::Op*>& linears) {
  const ir::Op* first = linears.front();
  for (const ir::Op* l : linears) {
    if (l->kind() != "linear") return "not a linear";
    if (l->has_attr("act") || l->has_attr("residual")) return "already fused with an activation or residual";
    if (l->operand(0) != first->operand(0)) return "different inputs";
    const ir::Type& w = l->operand(1)->type();
    const ir::Type& w0 = first->operand(1)->type();
    if (w.dtype != w0.dtype) return "weights differ in dtype";
    if (!(w.dims[1] == w0.dims[1])) return "weights differ in input dim";
    if (!w.dims[0].is_static()) return "symbolic output dim";
    if (has_bias(l) != has_bias(first)) return "biases on some but not all";
  }
  return "";
}

ir::Op* fuse_sibling_linears(ir::Graph& g, const std::vector<ir::Op*>& linears, const std::string& base) {
  ir::Op* first = first_in_order(g, linears);
  const std::string name = fused_name(base, first->result()->name());
  std::vector<ir::Value*> weights, biases;
  std::vector<int64_t> sizes;
  for (ir::Op* l : linears) {
    weights.push_back(l->operand(1));
    if (has_bias(l)) biases.push_back(l->operand(2));
    sizes.push_back(l->operand(1)->type().dims[0].value);
  }
  std::vector<ir::Value*> needed = weights;
  needed.insert(needed.end(), biases.begin(), biases.end());
  hoist_params(g, needed, first);

  ir::Builder b(g, g.find(first));
  std::vector<ir::Value*> operands{first->operand(0), b.op("concat", weights, {{"axis", int64_t{0}}}, "w_" + name)};
  if (!biases.empty()) operands.push_back(b.op("concat", biases, {{"axis", int64_t{0}}}, "b_" + name));
  ir::Value* fused = b.op("linear", operands, {}, name);
  int64_t axis = static_cast<int64_t>(fused->type().rank()) - 1;
  std::vector<std::string> names;
  for (ir::Op* l : linears) names.push_back(l->result()->name());
  std::vector<ir::Value*> parts = b.create("split", {fused}, {{"axis", axis}, {"sizes", sizes}}, names);
  for (size_t i = 0; i < linears.size(); ++i) {
    g.replace_all_uses(linears[i]->result(), parts[i]);
    g.erase(linears[i]);
    parts[i]->set_name(names[i]);  // the old name is free again; dumps stay readable
  }
  return fused->def();
}

}  // namespace lmc::passes

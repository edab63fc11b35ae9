#include "driver/graph_input.h"

#include <algorithm>
#include <filesystem>

#include "ir/op_traits.h"
#include "ir/parser.h"
#include "ir/verifier.h"
#include "support/error.h"

namespace lmc::driver {

namespace {

std::string dims_text(const std::vector<int64_t>& dims) {
  std::string s;
  for (int64_t d : dims) s += (s.empty() ? "" : ",") + std::to_string(d);
  return "[" + s + "]";
}

// Each param names a tensor of `w` (or a transform of its tensors, as a compiled graph's
// folded params do) with the param's shape; its dtype is the passes' to choose, the packer
// converts.
void check_params(const ir::Graph& g, const std::string& path, const models::WeightSource& w) {
  for (const auto& op : g.ops()) {
    if (!ir::is_role(*op, ir::OpRole::Weight)) continue;
    const std::string& name = op->attr_str("name");
    std::vector<int64_t> have;
    try {
      have = w.shape(name);
    } catch (const Error&) {
      throw error_at(graph_location(path, *op), "param \"" + name + "\" is not a tensor of " + w.path());
    }
    const ir::Type& t = op->result()->type();
    std::vector<int64_t> want;
    for (const auto& d : t.dims) want.push_back(d.value);
    if (have != want)
      throw error_at(graph_location(path, *op),
                     "param \"" + name + "\" is " + t.str() + " but " + w.path() + " holds it as " + dims_text(have));
  }
}

const ir::Op* first_param(const ir::Graph& g) {
  for (const auto& op : g.ops())
    if (ir::is_role(*op, ir::OpRole::Weight)) return op.get();
  return nullptr;
}

}  // namespace

std::string graph_location(const std::string& path, const ir::Op& op) {
  return path + (op.line() ? ":" + std::to_string(op.line()) : "");
}

models::LoweredModel read_graph(const std::string& path, const models::LowerOptions& o, bool packs_weights) {
  constexpr int64_t kRows = 512;
  models::LoweredModel m;
  m.graph = ir::parse_file(path);
  ir::verify(*m.graph, path);
  m.info.name = m.graph->name().empty() ? std::filesystem::path(path).stem().string() : m.graph->name();
  m.info.context = o.context > 0 ? o.context : kRows;
  m.info.step_tokens = std::min(kRows, m.info.context);
  const std::string& weights = o.weights;
  if (weights.empty()) {
    const ir::Op* p = first_param(*m.graph);
    if (p && packs_weights)
      throw error_at(graph_location(path, *p), "param \"" + p->attr_str("name") +
                                                   "\" needs weights: give --weights FILE (a .gguf or SafeTensors "
                                                   "holding the graph's params), or --emit-ir for the optimized graph "
                                                   "alone");
    return m;
  }
  m.weights = models::WeightSource::open(weights);
  m.info.weights = weights;
  check_params(*m.graph, path, *m.weights);
  return m;
}

}  // namespace lmc::driver

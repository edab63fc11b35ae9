#include "driver/artifact_graph.h"
#include "ir/op_registry.h"

#include <map>

#include "ir/parser.h"
#include "ir/verifier.h"
#include "support/error.h"

namespace lmc::driver {

namespace {

void check_params(const ir::Graph& g, const runtime::Artifact& a) {
  std::map<std::string, const runtime::WeightRecord*> index;
  for (const auto& r : a.weight_index()) index[r.name] = &r;
  for (const auto& op : g.ops()) {
    if (!ir::is_role(*op, ir::OpRole::Weight)) continue;
    const std::string& name = op->attr_str("name");
    const ir::Type& t = op->result()->type();
    auto it = index.find(name);
    ir::Type stored{it == index.end() ? t.dtype : it->second->dtype, {}};
    if (it != index.end())
      for (int64_t d : it->second->shape) stored.dims.push_back(ir::Dim::of(d));
    if (it == index.end() || stored != t)
      throw error_at(a.path() + ":ir:" + std::to_string(op->line()),
                     "param '" + name + "' is " + t.str() + " but the weight index has " +
                         (it == index.end() ? "no such tensor" : stored.str()));
  }
}

}  // namespace

std::unique_ptr<ir::Graph> read_artifact_graph(const runtime::Artifact& a) {
  auto g = ir::parse(a.section("ir"), a.path() + ":ir");
  ir::verify(*g, a.path() + ":ir");
  check_params(*g, a);
  return g;
}

}  // namespace lmc::driver

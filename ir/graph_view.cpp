#include "ir/graph_view.h"

#include <boost/graph/adjacency_list.hpp>
#include <boost/graph/strong_components.hpp>
#include <boost/graph/topological_sort.hpp>
#include <unordered_map>

namespace lmc::ir {

namespace {

using BGraph = boost::adjacency_list<boost::vecS, boost::vecS, boost::directedS>;

struct View {
  BGraph bg;
  std::vector<Op*> ops;
};

View build_view(const Graph& g) {
  View v;
  std::unordered_map<const Op*, size_t> index;
  for (const auto& op : g.ops()) {
    index[op.get()] = v.ops.size();
    v.ops.push_back(op.get());
  }
  v.bg = BGraph(v.ops.size());
  for (size_t i = 0; i < v.ops.size(); ++i)
    for (Value* operand : v.ops[i]->operands())
      if (operand->def() && index.count(operand->def())) boost::add_edge(index[operand->def()], i, v.bg);
  return v;
}

// The first op in program order that lies on a cycle: one whose strongly connected
// component has another op, or that reads its own result. One linear pass (Tarjan's
// algorithm) rather than a search from every op, which took seconds on long chains.
size_t first_on_cycle(const View& v) {
  std::vector<size_t> component(v.ops.size());
  size_t n = boost::strong_components(
      v.bg, boost::make_iterator_property_map(component.begin(), boost::get(boost::vertex_index, v.bg)));
  std::vector<size_t> members(n);
  for (size_t c : component) ++members[c];
  for (size_t i = 0; i < v.ops.size(); ++i) {
    if (members[component[i]] > 1) return i;
    for (auto [e, end] = boost::out_edges(i, v.bg); e != end; ++e)
      if (boost::target(*e, v.bg) == i) return i;
  }
  return 0;  // not reached: topological_sort found a cycle
}

}  // namespace

std::optional<std::vector<Op*>> topological_order(const Graph& g, Op** cycle_op) {
  View v = build_view(g);
  std::vector<size_t> rev;
  try {
    boost::topological_sort(v.bg, std::back_inserter(rev));
  } catch (const boost::not_a_dag&) {
    if (cycle_op) *cycle_op = v.ops[first_on_cycle(v)];
    return std::nullopt;
  }
  std::vector<Op*> order;
  for (auto it = rev.rbegin(); it != rev.rend(); ++it) order.push_back(v.ops[*it]);
  return order;
}

}  // namespace lmc::ir

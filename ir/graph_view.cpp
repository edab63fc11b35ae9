#include "ir/graph_view.h"

#include <boost/graph/adjacency_list.hpp>
#include <boost/graph/graphviz.hpp>
#include <boost/graph/topological_sort.hpp>
#include <unordered_map>

#include "ir/printer.h"

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

}  // namespace

std::optional<std::vector<Op*>> topological_order(const Graph& g, Op** cycle_op) {
  View v = build_view(g);
  std::vector<size_t> rev;
  try {
    boost::topological_sort(v.bg, std::back_inserter(rev));
  } catch (const boost::not_a_dag&) {
    if (cycle_op) {
      // Any op reachable from itself is on a cycle; report the first in program order.
      for (size_t i = 0; i < v.ops.size() && !*cycle_op; ++i) {
        std::vector<size_t> stack{i};
        std::vector<bool> seen(v.ops.size());
        while (!stack.empty() && !*cycle_op) {
          size_t n = stack.back();
          stack.pop_back();
          for (auto [e, end] = boost::out_edges(n, v.bg); e != end; ++e) {
            size_t t = boost::target(*e, v.bg);
            if (t == i) *cycle_op = v.ops[i];
            if (!seen[t]) {
              seen[t] = true;
              stack.push_back(t);
            }
          }
        }
      }
    }
    return std::nullopt;
  }
  std::vector<Op*> order;
  for (auto it = rev.rbegin(); it != rev.rend(); ++it) order.push_back(v.ops[*it]);
  return order;
}

void write_dot(const Graph& g, std::ostream& os) {
  View v = build_view(g);
  auto label = [&](std::ostream& out, size_t i) {
    std::string text = print_op(*v.ops[i]);
    std::string escaped;
    for (char c : text) escaped += (c == '"' || c == '\\') ? std::string("\\") + c : std::string(1, c);
    out << "[label=\"" << escaped << "\", shape=box]";
  };
  boost::write_graphviz(os, v.bg, label);
}

}  // namespace lmc::ir

#include "ir/graph_view.h"

#include <boost/graph/adjacency_list.hpp>
#include <boost/graph/strong_components.hpp>
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

// The first op in program order that lies on a cycle: one whose strongly connected
// component has another op, or that reads its own result. One linear pass (Tarjan's
// algorithm) rather than a search from every op, which took seconds on long chains.
size_t first_on_cycle(const View& v) {
  std::vector<size_t> component(v.ops.size());
  size_t n = boost::strong_components(v.bg, boost::make_iterator_property_map(
                                                component.begin(), boost::get(boost::vertex_index, v.bg)));
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

namespace {

std::string dot_escape(const std::string& text) {
  std::string out;
  for (char c : text) out += (c == '"' || c == '\\') ? std::string("\\") + c : std::string(1, c);
  return out;
}

// Graphviz text for a graph whose fusions are clusters: the body's ops are nodes inside
// the cluster, an edge into the fusion goes to the body ops reading that argument, and
// an edge out of it leaves from the body op computing the yielded value.
class DotWriter {
 public:
  explicit DotWriter(std::ostream& os) : os_(os) {}

  void write(const Graph& g) {
    os_ << "digraph G {\n";
    for (const auto& op : g.ops()) op->body() ? cluster(*op) : node(*op, "  ");
    for (const auto& op : g.ops()) edges_into(*op);
    os_ << "}\n";
  }

 private:
  std::ostream& os_;
  std::unordered_map<const Op*, int> id_;
  std::unordered_map<const Value*, std::vector<int>> readers_;  // fusion arguments -> body nodes
  std::unordered_map<const Value*, int> yielded_by_;            // fusion results -> body node

  int id(const Op& op) { return id_.emplace(&op, static_cast<int>(id_.size())).first->second; }

  void node(const Op& op, const char* indent) {
    std::string text = op.body() ? op.kind() : print_op(op);
    os_ << indent << id(op) << " [label=\"" << dot_escape(text) << "\", shape=box];\n";
  }

  void cluster(const Op& fusion) {
    const Graph& body = *fusion.body();
    os_ << "  subgraph cluster_" << id(fusion) << " {\n    label=\"fusion %" << dot_escape(fusion.result()->name())
        << "\";\n    style=rounded;\n";
    for (const auto& op : body.ops()) node(*op, "    ");
    for (const auto& op : body.ops())
      for (const Value* v : op->operands())
        if (v->def()) os_ << "    " << id(*v->def()) << " -> " << id(*op) << ";\n";
    os_ << "  }\n";
    for (size_t i = 0; i < body.args().size(); ++i)
      for (const Op* user : body.users(body.args()[i].get())) readers_[fusion.operand(i)].push_back(id(*user));
    for (size_t i = 0; i < body.outputs().size(); ++i)
      if (const Op* def = body.outputs()[i]->def()) yielded_by_[fusion.result(i)] = id(*def);
  }

  void edges_into(const Op& op) {
    for (const Value* v : op.operands()) {
      if (!v->def()) continue;
      auto y = yielded_by_.find(v);
      int from = y != yielded_by_.end() ? y->second : id(*v->def());
      if (!op.body()) {
        os_ << "  " << from << " -> " << id(op) << ";\n";
        continue;
      }
      for (int to : readers_[v]) os_ << "  " << from << " -> " << to << ";\n";
    }
  }
};

}  // namespace

void write_dot(const Graph& g, std::ostream& os) { DotWriter(os).write(g); }

}  // namespace lmc::ir

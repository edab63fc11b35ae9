#include "ir/printer.h"

namespace lmc::ir {

namespace {

std::string join_values(const std::vector<Value*>& vs) {
  std::string s;
  for (size_t i = 0; i < vs.size(); ++i) s += (i ? ", %" : "%") + vs[i]->name();
  return s;
}

std::string print_attrs(const AttrMap& attrs) {
  if (attrs.empty()) return "";
  std::string s = " {";
  bool first = true;
  for (const auto& [k, v] : attrs) {
    s += (first ? "" : ", ") + k + " = " + format_attr(v);
    first = false;
  }
  return s + "}";
}

}  // namespace

std::string print_op(const Op& op) {
  std::string s;
  std::vector<Value*> results;
  for (size_t i = 0; i < op.num_results(); ++i) results.push_back(op.result(i));
  s += join_values(results) + " = " + op.kind();
  if (!op.operands().empty()) s += " " + join_values(op.operands());
  s += print_attrs(op.attrs()) + " : ";
  for (size_t i = 0; i < results.size(); ++i) s += (i ? ", " : "") + results[i]->type().str();
  return s;
}

std::string print(const Graph& g) {
  std::string s = "graph @" + g.name() + "(";
  for (size_t i = 0; i < g.args().size(); ++i)
    s += (i ? ", %" : "%") + g.args()[i]->name() + ": " + g.args()[i]->type().str();
  s += ") {\n";
  for (const auto& op : g.ops()) s += "  " + print_op(*op) + "\n";
  s += "  return";
  if (!g.outputs().empty()) s += " " + join_values(g.outputs());
  return s + "\n}\n";
}

}  // namespace lmc::ir

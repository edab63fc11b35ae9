#include "ir/printer.h"

#include <functional>
#include <unordered_map>

namespace lmc::ir {

namespace {

using Namer = std::function<std::string(const Value*)>;

std::string source_name(const Value* v) { return v->name(); }

std::string join_values(const std::vector<Value*>& vs, const Namer& name) {
  std::string s;
  for (size_t i = 0; i < vs.size(); ++i) s += (i ? ", %" : "%") + name(vs[i]);
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

std::string print_args(const Graph& g, const Namer& name) {
  std::string s;
  for (size_t i = 0; i < g.args().size(); ++i)
    s += (i ? ", %" : "%") + name(g.args()[i].get()) + ": " + g.args()[i]->type().str();
  return s;
}

std::string print_op_with(const Op& op, const std::string& indent, const Namer& name);

// `{`, the argument line, the body's ops one level deeper, `yield`, and `}` at the op's indent.
std::string print_region(const Graph& body, const std::string& indent, const Namer& name) {
  std::string s = " {\n" + indent + "^(" + print_args(body, name) + "):\n";
  for (const auto& op : body.ops()) s += indent + "  " + print_op_with(*op, indent + "  ", name) + "\n";
  s += indent + "  yield " + join_values(body.outputs(), name) + "\n";
  return s + indent + "}";
}

std::string print_op_with(const Op& op, const std::string& indent, const Namer& name) {
  std::string s;
  std::vector<Value*> results;
  for (size_t i = 0; i < op.num_results(); ++i) results.push_back(op.result(i));
  s += join_values(results, name) + " = " + op.kind();
  if (!op.operands().empty()) s += " " + join_values(op.operands(), name);
  s += print_attrs(op.attrs());
  if (op.body()) s += print_region(*op.body(), indent, name);
  s += " : ";
  for (size_t i = 0; i < results.size(); ++i) s += (i ? ", " : "") + results[i]->type().str();
  return s;
}

}  // namespace

std::string print_op(const Op& op) { return print_op_with(op, "  ", source_name); }

std::string print_region_canonical(const Graph& body) {
  std::unordered_map<const Value*, std::string> names;
  Namer name = [&](const Value* v) {
    auto it = names.find(v);
    if (it != names.end()) return it->second;
    std::string fresh = std::to_string(names.size());
    names.emplace(v, fresh);
    return fresh;
  };
  return print_region(body, "", name);
}

std::string print(const Graph& g) {
  std::string s = "graph @" + g.name() + "(" + print_args(g, source_name) + ") {\n";
  for (const auto& op : g.ops()) s += "  " + print_op(*op) + "\n";
  s += "  return";
  if (!g.outputs().empty()) s += " " + join_values(g.outputs(), source_name);
  return s + "\n}\n";
}

}  // namespace lmc::ir

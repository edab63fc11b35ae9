#include "passes/api/pattern.h"

#include <algorithm>

#include "ir/op_registry.h"
#include "support/error.h"

namespace lmc::passes {

namespace {

// The op table's entry for `kind`; an unknown kind is the pass's mistake.
const ir::OpDef* known(std::string_view kind) {
  const ir::OpDef* d = ir::find_op(kind);
  if (!d) throw Error("a pattern names op '" + std::string(kind) + "', which the op table does not have");
  return d;
}

bool is(const ir::Op& op, const ir::OpDef* def) { return op.definition() == def; }

}  // namespace

ir::Op* defined_by(const ir::Value* v, const std::string& kind) {
  const ir::OpDef* def = known(kind);
  return v && v->def() && is(*v->def(), def) ? v->def() : nullptr;
}

ir::Value* skip_back(ir::Value* v, std::initializer_list<const char*> kinds) {
  std::vector<const ir::OpDef*> defs;
  for (const char* k : kinds) defs.push_back(known(k));
  while (v->def() && std::find(defs.begin(), defs.end(), v->def()->definition()) != defs.end())
    v = v->def()->operand(0);
  return v;
}

bool has_single_use(const ir::Graph& g, const ir::Value* v) {
  if (g.is_output(v)) return false;
  int uses = 0;
  for (const auto& op : g.ops())
    for (const ir::Value* o : op->operands()) uses += o == v;
  return uses == 1;
}

std::vector<ir::Op*> ops_of_kind(ir::Graph& g, const std::string& kind) {
  const ir::OpDef* def = known(kind);
  std::vector<ir::Op*> out;
  for (auto& op : g.ops())
    if (is(*op, def)) out.push_back(op.get());
  return out;
}

ir::Op* first_in_order(ir::Graph& g, const std::vector<ir::Op*>& ops) {
  for (auto& op : g.ops())
    if (std::find(ops.begin(), ops.end(), op.get()) != ops.end()) return op.get();
  return nullptr;
}

void visit_reads(const ir::Graph& g, ir::Value* v, const std::function<void(ir::Value*)>& bound,
                 const std::function<void(const ir::Graph&, ir::Op*, size_t)>& read) {
  bound(v);
  for (ir::Op* user : g.users(v))
    for (size_t i = 0; i < user->operands().size(); ++i) {
      if (user->operand(i) != v) continue;
      if (user->body())
        visit_reads(*user->body(), user->body()->args()[i].get(), bound, read);
      else
        read(g, user, i);
    }
}

void retype(const std::vector<ir::Value*>& values, ir::DType dtype) {
  for (ir::Value* v : values) {
    ir::Type t = v->type();
    t.dtype = dtype;
    v->set_type(t);
  }
}

bool known_at_compile_time(const ir::Value* v) {
  const ir::Op* def = v->def();
  if (!def || !ir::computes_weight(*def)) return false;
  return std::all_of(def->operands().begin(), def->operands().end(), known_at_compile_time);
}

bool joins_weight_rows(const ir::Op& op) {
  if (op.kind() != "concat") return false;
  int64_t axis = op.attr_int("axis");
  return axis == 0 || (axis == 1 && op.result()->type().rank() >= 3);
}

}  // namespace lmc::passes

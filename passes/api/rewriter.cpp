#include "passes/api/rewriter.h"

#include <algorithm>
#include <set>
#include <unordered_map>

#include "ir/fusion_region.h"
#include "ir/op_traits.h"
#include "passes/api/pass_fault.h"
#include "support/error.h"

namespace lmc::passes {

namespace {

using ValueMap = std::unordered_map<const ir::Value*, ir::Value*>;

// A copy of `op` in `body`, reading the mapped operands; its results keep their names.
void clone_into(ir::Graph& body, const ir::Op& op, ValueMap& map) {
  std::vector<ir::Value*> operands;
  for (ir::Value* v : op.operands()) operands.push_back(map.at(v));
  auto copy = std::make_unique<ir::Op>(op.kind(), operands, op.attrs());
  copy->set_line(op.line());
  for (size_t i = 0; i < op.num_results(); ++i)
    map[op.result(i)] = copy->add_result(op.result(i)->name(), op.result(i)->type());
  body.append(std::move(copy));
}

// A fusion's body ops are copied in place of the fusion, bound to its operands.
void inline_into(ir::Graph& body, const ir::Op& fusion, ValueMap& map) {
  const ir::Graph& inner = *fusion.body();
  for (size_t i = 0; i < inner.args().size(); ++i) map[inner.args()[i].get()] = map.at(fusion.operand(i));
  for (const auto& op : inner.ops()) clone_into(body, *op, map);
  for (size_t i = 0; i < fusion.num_results(); ++i) map[fusion.result(i)] = map.at(inner.outputs()[i]);
}

// The ops from the first of `group` to its last, in program order. The graph is in
// topological order, so a value that leaves the group and comes back passes only through
// ops inside this span, and a member's readers all come after the first member: the
// checks below look no further, which keeps a fusion's cost to its span, not the graph.
std::vector<ir::Op*> span_of(const ir::Graph& g, const std::set<const ir::Op*>& group) {
  std::vector<ir::Op*> span;
  size_t left = group.size();
  for (const auto& op : g.ops()) {
    const bool member = group.count(op.get()) > 0;
    if (span.empty() && !member) continue;
    span.push_back(op.get());
    if (member && --left == 0) break;
  }
  return span;
}

}  // namespace

void Rewriter::replace(ir::Value* from, ir::Value* to) {
  std::string name = from->name();
  g_.replace_all_uses(from, to);
  ir::Op* def = from->def();
  if (def && g_.find(def) != g_.ops().end()) {
    bool read = false;
    for (size_t i = 0; i < def->num_results(); ++i)
      read = read || !g_.users(def->result(i)).empty() || g_.is_output(def->result(i));
    if (!read) g_.erase(def);
  }
  to->set_name(name);
}

void Rewriter::erase(ir::Op* op) { g_.erase(op); }

void Rewriter::hoist_weights(const std::vector<ir::Value*>& values, const ir::Op* at) {
  auto target = g_.find(at);
  auto position = [&](ir::OpIter it) { return std::distance(g_.ops().begin(), it); };
  for (ir::Value* v : values) {
    ir::Op* def = v->def();
    if (!def || !ir::computes_weight(*def)) continue;
    // Its own weights first, so they still come before it.
    hoist_weights(def->operands(), at);
    auto it = g_.find(def);
    if (position(it) > position(target)) g_.ops().splice(target, g_.ops(), it);
  }
}

std::string Rewriter::cycle_blocker(const std::vector<ir::Op*>& ops) const {
  std::set<const ir::Op*> group(ops.begin(), ops.end());
  std::unordered_map<const ir::Value*, std::vector<const ir::Op*>> users;
  for (const ir::Op* op : span_of(g_, group))
    for (const ir::Value* v : op->operands()) users[v].push_back(op);
  // Walk the ops outside the group that read it, transitively: none may feed it.
  std::vector<const ir::Op*> work;
  std::set<const ir::Op*> seen;
  auto push_outside_users = [&](const ir::Op* op) {
    for (size_t i = 0; i < op->num_results(); ++i)
      for (const ir::Op* u : users[op->result(i)])
        if (!group.count(u) && seen.insert(u).second) work.push_back(u);
  };
  for (const ir::Op* op : ops) push_outside_users(op);
  while (!work.empty()) {
    const ir::Op* op = work.back();
    work.pop_back();
    for (size_t i = 0; i < op->num_results(); ++i)
      for (const ir::Op* u : users[op->result(i)])
        if (group.count(u)) return op->where() + " reads the group and feeds it: one kernel would make a cycle";
    push_outside_users(op);
  }
  return "";
}

// The body `ops` make together: what they read from outside becomes its arguments
// (and the fusion's operands), what is read after them its yields (and results).
Rewriter::Grouping Rewriter::group(const std::vector<ir::Op*>& ops) const {
  std::set<const ir::Op*> in_group(ops.begin(), ops.end());
  Grouping gr;
  for (const auto& op : g_.ops())
    if (in_group.count(op.get())) gr.members.push_back(op.get());
  gr.body = std::make_unique<ir::Graph>("body");
  ValueMap map;
  for (ir::Op* op : gr.members)
    for (ir::Value* v : op->operands())
      if (!map.count(v) && !(v->def() && in_group.count(v->def()))) {
        gr.operands.push_back(v);
        map[v] = gr.body->add_arg(v->name(), v->type());
      }
  for (ir::Op* op : gr.members) op->body() ? inline_into(*gr.body, *op, map) : clone_into(*gr.body, *op, map);
  // The members' results some op outside the group reads: all such readers follow the first member.
  std::set<const ir::Value*> read_outside;
  bool after_first = false;
  for (const auto& op : g_.ops()) {
    after_first = after_first || (!gr.members.empty() && op.get() == gr.members.front());
    if (!after_first || in_group.count(op.get())) continue;
    for (const ir::Value* v : op->operands())
      if (v->def() && in_group.count(v->def())) read_outside.insert(v);
  }
  std::vector<ir::Value*> yields;
  for (ir::Op* op : gr.members)
    for (size_t i = 0; i < op->num_results(); ++i) {
      ir::Value* r = op->result(i);
      if (!g_.is_output(r) && !read_outside.count(r)) continue;
      gr.escaping.push_back(r);
      yields.push_back(map.at(r));
    }
  gr.body->set_outputs(yields);
  return gr;
}

std::string Rewriter::fusion_blocker(const std::vector<ir::Op*>& ops) const {
  std::string why = cycle_blocker(ops);
  if (!why.empty()) return why;
  Grouping gr = group(ops);
  ir::region_shape(*gr.body, &why);
  return why;
}

ir::Op* Rewriter::fuse(const std::vector<ir::Op*>& ops) {
  std::string why = fusion_blocker(ops);
  if (!why.empty()) throw PassFault("cannot fuse: " + why);
  Grouping gr = group(ops);
  auto first = g_.find(gr.members.front());
  const ir::Op* before = first == g_.ops().begin() ? nullptr : std::prev(first)->get();
  auto fusion = std::make_unique<ir::Op>("fusion", gr.operands, ir::AttrMap{});
  fusion->set_line(gr.members.back()->line());
  for (ir::Value* v : gr.escaping) fusion->add_result(v->name(), v->type());
  fusion->set_body(std::move(gr.body));
  ir::Op* f = g_.insert(std::next(g_.find(gr.members.back())), std::move(fusion));
  for (size_t i = 0; i < gr.escaping.size(); ++i) {
    std::string name = gr.escaping[i]->name();
    g_.replace_all_uses(gr.escaping[i], f->result(i));
    f->result(i)->set_name(name);
  }
  for (ir::Op* op : gr.members) g_.erase(op);
  restore_order(before ? std::next(g_.find(before)) : g_.ops().begin(), std::next(g_.find(f)));
  return f;
}

ir::Op* Rewriter::duplicate(ir::Op* op) {
  auto copy = std::make_unique<ir::Op>(op->kind(), op->operands(), op->attrs());
  copy->set_line(op->line());
  for (size_t i = 0; i < op->num_results(); ++i) copy->add_result(op->result(i)->name(), op->result(i)->type());
  return g_.insert(std::next(g_.find(op)), std::move(copy));
}

// After a fusion is placed where its last member was, a reader of an earlier member
// may precede it: only ops between where the first member was and the fusion can be out
// of order. Kahn's algorithm over that span, taking the earliest ready op first,
// restores a topological order that changes nothing else.
void Rewriter::restore_order(ir::OpIter begin, ir::OpIter end) {
  std::vector<ir::OpIter> span;
  std::unordered_map<const ir::Op*, size_t> pos;
  for (auto it = begin; it != end; ++it) {
    pos[it->get()] = span.size();
    span.push_back(it);
  }
  std::vector<int> waiting(span.size());
  std::vector<std::vector<size_t>> readers(span.size());
  for (size_t i = 0; i < span.size(); ++i)
    for (const ir::Value* v : (*span[i])->operands())
      if (auto d = v->def() ? pos.find(v->def()) : pos.end(); d != pos.end()) {
        ++waiting[i];
        readers[d->second].push_back(i);
      }
  std::set<size_t> ready;
  for (size_t i = 0; i < span.size(); ++i)
    if (!waiting[i]) ready.insert(i);
  size_t placed = 0;
  while (!ready.empty()) {
    size_t i = *ready.begin();
    ready.erase(ready.begin());
    for (size_t r : readers[i])
      if (--waiting[r] == 0) ready.insert(r);
    g_.ops().splice(end, g_.ops(), span[i]);  // in Kahn's order, each after the last placed
    ++placed;
  }
  if (placed != span.size()) throw Error("internal error: a fusion made the graph cyclic");
}

}  // namespace lmc::passes

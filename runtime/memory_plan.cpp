#include "runtime/memory_plan.h"

#include <algorithm>
#include <set>

#include "ir/op_registry.h"
#include "runtime/artifact/artifact_format.h"
#include "runtime/op_ancestry.h"
#include "support/checked_math.h"

namespace lmc::runtime {

namespace {

constexpr uint64_t kAlign = 64;

// Where `v`'s bytes end; the sum is checked because sizes bound by run-time symbols
// (T, L) can be large enough that offsets of several values together wrap.
uint64_t end_of(const PlannedValue& v) {
  return static_cast<uint64_t>(
      ir::checked_add(static_cast<int64_t>(v.offset), static_cast<int64_t>(v.bytes), "the memory plan's arena size"));
}

bool live_together(const PlannedValue& a, const PlannedValue& b) { return a.first <= b.last && b.first <= a.last; }
bool share_bytes(const PlannedValue& a, const PlannedValue& b) {
  return a.offset < b.offset + b.bytes && b.offset < a.offset + a.bytes;
}

// Whether `u` is dead before `v` is written in every execution the data
// dependencies allow: u's producer and all its readers precede v's producer.
bool dead_before(const PlannedValue& u, const PlannedValue& v, const OpAncestry& a) {
  const ir::Op* writer = v.value->def();
  if (!a.precedes(u.value->def(), writer)) return false;
  for (const ir::Op* r : u.readers)
    if (!a.precedes(r, writer)) return false;
  return true;
}

// Lowest aligned offset where `v` fits beside every placed value it must not share bytes with.
template <typename Conflict>
uint64_t first_fit(const PlannedValue& v, const std::vector<const PlannedValue*>& placed, Conflict conflict) {
  std::vector<const PlannedValue*> rivals;
  for (const PlannedValue* p : placed)
    if (conflict(*p, v)) rivals.push_back(p);
  std::sort(rivals.begin(), rivals.end(), [](auto* a, auto* b) { return a->offset < b->offset; });
  uint64_t at = 0;
  for (const PlannedValue* r : rivals) {
    if (at + v.bytes <= r->offset) break;
    at = std::max(at, artifact_format::align_up(end_of(*r), kAlign));
  }
  return at;
}

}  // namespace

const ir::Value* storage_root(const ir::Value* v) {
  while (v->def() && ir::aliases_operand(*v->def())) v = v->def()->operand(0);
  return v;
}

int64_t MemoryPlan::offset_of(const ir::Value* v) const {
  auto it = index.find(storage_root(v));
  return it == index.end() ? -1 : static_cast<int64_t>(values[it->second].offset);
}

std::vector<std::pair<const ir::Op*, const ir::Op*>> MemoryPlan::reuse_edges() const {
  std::set<std::pair<const ir::Op*, const ir::Op*>> edges;
  for (const PlannedValue& u : values)
    for (const PlannedValue& v : values) {
      if (u.last >= v.first || !share_bytes(u, v)) continue;
      const ir::Op* writer = v.value->def();
      edges.insert({u.value->def(), writer});
      for (const ir::Op* r : u.readers) edges.insert({r, writer});
    }
  return {edges.begin(), edges.end()};
}

MemoryPlan plan_memory(const ir::Graph& g, const std::vector<const ir::Op*>& order, int64_t step_tokens,
                       bool share_across_branches, int64_t logit_rows, int64_t context) {
  MemoryPlan plan;
  plan.order = order;
  const int64_t syms[ir::kNumSyms] = {step_tokens, logit_rows > 0 ? logit_rows : step_tokens, context};
  for (int i = 0; i < static_cast<int>(order.size()); ++i) {
    const ir::Op& op = *order[i];
    for (const ir::Value* o : op.operands()) {
      auto it = plan.index.find(storage_root(o));
      if (it == plan.index.end()) continue;
      PlannedValue& pv = plan.values[it->second];
      pv.last = std::max(pv.last, i);
      if (std::find(pv.readers.begin(), pv.readers.end(), &op) == pv.readers.end()) pv.readers.push_back(&op);
    }
    if (!ir::has_own_storage(op)) continue;
    for (size_t r = 0; r < op.num_results(); ++r) {
      const ir::Value* v = op.result(r);
      uint64_t bytes = artifact_format::align_up(static_cast<uint64_t>(v->type().bytes(syms)), kAlign);
      plan.index[v] = plan.values.size();
      plan.values.push_back({v, 0, bytes, i, i, {}});
    }
  }
  for (const ir::Value* out : g.outputs()) {
    auto it = plan.index.find(storage_root(out));
    if (it != plan.index.end()) plan.values[it->second].last = static_cast<int>(order.size());
  }

  std::vector<PlannedValue*> by_size;
  for (PlannedValue& v : plan.values) by_size.push_back(&v);
  std::stable_sort(by_size.begin(), by_size.end(), [](auto* a, auto* b) { return a->bytes > b->bytes; });
  OpAncestry ancestry(order);
  auto conflict = [&](const PlannedValue& a, const PlannedValue& b) {
    if (live_together(a, b)) return true;
    if (share_across_branches) return false;
    return a.first < b.first ? !dead_before(a, b, ancestry) : !dead_before(b, a, ancestry);
  };
  std::vector<const PlannedValue*> placed;
  for (PlannedValue* v : by_size) {
    v->offset = first_fit(*v, placed, conflict);
    plan.arena_bytes = std::max(plan.arena_bytes, end_of(*v));
    placed.push_back(v);
  }
  return plan;
}

}  // namespace lmc::runtime

#include "driver/memory_check.h"
#include "ir/op_registry.h"

#include <cstdio>
#include <fstream>
#include <iterator>
#include <set>
#include <sstream>

#include "ir/graph_view.h"
#include "runtime/memory_plan.h"
#include "support/error.h"

namespace lmc::driver {

namespace {

// A cache's rows may be the symbol C, the context it is run with.
double bytes_at(const ir::Type& t, int64_t context) {
  double n = 1;
  for (const auto& d : t.dims) n *= static_cast<double>(d.sym == ir::Sym::C ? context : d.value);
  return n * static_cast<double>(ir::dtype_block_bytes(t.dtype)) / static_cast<double>(ir::dtype_block_elems(t.dtype));
}

double planned_arena_bytes(const ir::Graph& g, int64_t step_tokens) {
  auto order = ir::topological_order(g);
  if (!order) throw Error(g.name() + ": error: the graph has a cycle");
  return static_cast<double>(
      runtime::plan_memory(g, std::vector<const ir::Op*>(order->begin(), order->end()), step_tokens).arena_bytes);
}

// Decimal units, as the load summary prints them.
std::string human(double bytes) {
  static const char* units[] = {"kB", "MB", "GB", "TB", "PB"};
  double v = bytes / 1e3;
  size_t u = 0;
  while (v >= 1e3 && u + 1 < std::size(units)) v /= 1e3, ++u;
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f %s", v, units[u]);
  return buf;
}

}  // namespace

MemoryNeed estimate_memory(const ir::Graph& g, const ir::ModelInfo& info) {
  MemoryNeed need;
  std::set<std::string> weights;
  std::set<const ir::Value*> caches;
  for (const auto& op : g.ops()) {
    if (ir::is_role(*op, ir::OpRole::Weight) && weights.insert(op->attr_str("name")).second)
      need.weight_bytes += bytes_at(op->result()->type(), info.context);
    if (ir::writes_in_place(*op) && caches.insert(op->operand(0)).second)
      need.kv_bytes += bytes_at(op->operand(0)->type(), info.context);
  }
  need.arena_bytes = planned_arena_bytes(g, info.step_tokens);
  return need;
}

std::optional<uint64_t> available_memory() {
  std::ifstream in("/proc/meminfo");
  std::string line;
  while (std::getline(in, line)) {
    std::istringstream fields(line);
    std::string key, unit;
    uint64_t kib = 0;
    if (fields >> key >> kib >> unit && key == "MemAvailable:" && unit == "kB") return kib * 1024;
  }
  return std::nullopt;
}

void check_memory_fits(const MemoryNeed& need, std::optional<uint64_t> available, const ir::ModelInfo& info,
                       const std::string& model) {
  if (!available || need.total() <= static_cast<double>(*available)) return;
  throw error_at(model, "needs " + human(need.total()) + " of memory (weights " + human(need.weight_bytes) +
                            ", arena " + human(need.arena_bytes) + ", KV cache " + human(need.kv_bytes) +
                            " at context " + std::to_string(info.context) + "), " +
                            human(static_cast<double>(*available)) + " available");
}

}  // namespace lmc::driver

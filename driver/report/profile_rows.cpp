#include "driver/report/profile_rows.h"

#include <algorithm>
#include <cstdio>
#include <map>

#include "driver/report/kernel_rows.h"

namespace lmc::report {

namespace {

bool is_decode(const runtime::StepRecord& s) { return s.T == 1; }

std::string describe_steps(size_t count, bool decode, double step_ms) {
  char buf[160];
  std::snprintf(
      buf, sizeof buf, "%zu %s, %.3f ms a step on average", count,
      decode ? (count == 1 ? "decode step (T = 1)" : "decode steps (T = 1)") : (count == 1 ? "step" : "steps"),
      count ? step_ms / static_cast<double>(count) : 0.0);
  return buf;
}

}  // namespace

ProfileTable profile_rows(const runtime::Profiler& p) {
  const auto& steps = p.steps();
  const bool decode = std::any_of(steps.begin(), steps.end(), is_decode);
  std::map<std::string, ProfileRow> by_symbol;
  double step_ms = 0;
  size_t counted = 0;
  for (const auto& s : steps) {
    if (decode && !is_decode(s)) continue;
    ++counted;
    step_ms += static_cast<double>(s.end_ns - s.start_ns) / 1e6;
    for (size_t i = 0; i < s.nodes.size() && i < p.nodes().size(); ++i) {
      const runtime::ProfiledNode& n = p.nodes()[i];
      ProfileRow& row = by_symbol[n.symbol];
      if (row.symbol.empty()) row = {n.symbol, n.op ? op_label(*n.op) : "", 0, 0, 0};
      ++row.calls;
      row.milliseconds += static_cast<double>(s.nodes[i].end_ns - s.nodes[i].start_ns) / 1e6;
    }
  }
  ProfileTable t;
  for (auto& [symbol, row] : by_symbol) {
    row.share = step_ms > 0 ? row.milliseconds / step_ms : 0;
    t.rows.push_back(row);
  }
  std::sort(t.rows.begin(), t.rows.end(), [](const ProfileRow& a, const ProfileRow& b) { return a.share > b.share; });
  t.note = "Measured over " + describe_steps(counted, decode, step_ms) +
           ". Kernels that run at once can make the shares add up to more than 100 %.";
  return t;
}

}  // namespace lmc::report

#include "driver/report/kernel_time_rows.h"

#include <algorithm>
#include <cmath>
#include <map>

#include "driver/report/kernel_rows.h"

namespace lmc::report {

namespace {

// Every node's calls and milliseconds over the recorded steps, into the rows by symbol;
// `b` says which pipeline's columns they fill.
void add_times(std::map<std::string, KernelTimeRow>& rows, const runtime::Profiler& p, bool b) {
  for (const auto& s : p.steps())
    for (size_t i = 0; i < s.nodes.size() && i < p.nodes().size(); ++i) {
      const runtime::ProfiledNode& n = p.nodes()[i];
      KernelTimeRow& row = rows[n.symbol];
      if (row.symbol.empty()) {
        row.symbol = n.symbol;
        row.op = n.op ? op_label(*n.op) : "";
      }
      (b ? row.calls_b : row.calls_a) += 1;
      (b ? row.ms_b : row.ms_a) += static_cast<double>(s.nodes[i].end_ns - s.nodes[i].start_ns) / 1e6;
    }
}

}  // namespace

std::vector<KernelTimeRow> kernel_time_rows(const runtime::Profiler& a, const runtime::Profiler& b, int runs) {
  std::map<std::string, KernelTimeRow> by_symbol;
  add_times(by_symbol, a, false);
  add_times(by_symbol, b, true);
  std::vector<KernelTimeRow> rows;
  const double n = std::max(runs, 1);
  for (auto& entry : by_symbol) {
    KernelTimeRow r = entry.second;
    r.calls_a = static_cast<int64_t>(std::llround(static_cast<double>(r.calls_a) / n));
    r.calls_b = static_cast<int64_t>(std::llround(static_cast<double>(r.calls_b) / n));
    r.ms_a /= n;
    r.ms_b /= n;
    rows.push_back(r);
  }
  std::stable_sort(rows.begin(), rows.end(), [](const KernelTimeRow& x, const KernelTimeRow& y) {
    return std::abs(x.ms_b - x.ms_a) > std::abs(y.ms_b - y.ms_a);
  });
  return rows;
}

const char* kernel_presence(const KernelTimeRow& k) {
  if (!k.calls_a) return "only in B";
  if (!k.calls_b) return "only in A";
  return "both";
}

}  // namespace lmc::report

#include "driver/report/kernel_time_rows.h"

#include <algorithm>
#include <cmath>
#include <map>

#include "driver/report/kernel_rows.h"
#include "driver/report/rank_test.h"

namespace lmc::report {

namespace {

struct RunTime {
  int64_t calls = 0;
  double ms = 0;
};

// Every kernel's calls and milliseconds in one run, by symbol.
std::map<std::string, RunTime> run_times(const runtime::Profiler& p, std::map<std::string, std::string>& ops) {
  std::map<std::string, RunTime> out;
  for (const auto& s : p.steps())
    for (size_t i = 0; i < s.nodes.size() && i < p.nodes().size(); ++i) {
      const runtime::ProfiledNode& n = p.nodes()[i];
      if (!ops.count(n.symbol)) ops[n.symbol] = n.op ? op_label(*n.op) : "";
      RunTime& t = out[n.symbol];
      t.calls += 1;
      t.ms += static_cast<double>(s.nodes[i].end_ns - s.nodes[i].start_ns) / 1e6;
    }
  return out;
}

double mean(const std::vector<double>& v) {
  double sum = 0;
  for (double x : v) sum += x;
  return v.empty() ? 0 : sum / static_cast<double>(v.size());
}

// One pipeline's columns of every row: its calls in a run, and each run's milliseconds
// (0 in a run without the kernel).
void fill(std::map<std::string, KernelTimeRow>& rows, const std::vector<std::map<std::string, RunTime>>& runs, bool b) {
  for (size_t r = 0; r < runs.size(); ++r)
    for (const auto& [symbol, t] : runs[r]) {
      KernelTimeRow& row = rows[symbol];
      (b ? row.calls_b : row.calls_a) = std::max(b ? row.calls_b : row.calls_a, t.calls);
    }
  for (auto& [symbol, row] : rows) {
    std::vector<double>& ms = b ? row.runs_b : row.runs_a;
    for (const auto& run : runs) {
      auto it = run.find(symbol);
      ms.push_back(it == run.end() ? 0.0 : it->second.ms);
    }
  }
}

}  // namespace

std::vector<KernelTimeRow> kernel_time_rows(const std::vector<runtime::Profiler>& a,
                                            const std::vector<runtime::Profiler>& b) {
  std::map<std::string, std::string> ops;
  std::vector<std::map<std::string, RunTime>> runs_a, runs_b;
  for (const auto& p : a) runs_a.push_back(run_times(p, ops));
  for (const auto& p : b) runs_b.push_back(run_times(p, ops));
  std::map<std::string, KernelTimeRow> by_symbol;
  for (const auto& [symbol, op] : ops) by_symbol[symbol] = KernelTimeRow{symbol, op};
  fill(by_symbol, runs_a, false);
  fill(by_symbol, runs_b, true);
  std::vector<KernelTimeRow> rows;
  for (auto& [symbol, r] : by_symbol) {
    r.ms_a = mean(r.runs_a);
    r.ms_b = mean(r.runs_b);
    r.p = mann_whitney(r.runs_a, r.runs_b).p;
    rows.push_back(r);
  }
  std::stable_sort(rows.begin(), rows.end(), [](const KernelTimeRow& x, const KernelTimeRow& y) {
    if (x.p != y.p) return x.p < y.p;
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

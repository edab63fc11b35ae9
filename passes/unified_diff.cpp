#include "passes/unified_diff.h"

#include <algorithm>
#include <sstream>
#include <vector>

namespace lmc::passes {

namespace {

std::vector<std::string> lines_of(const std::string& s) {
  std::vector<std::string> out;
  std::istringstream in(s);
  for (std::string l; std::getline(in, l);) out.push_back(l);
  return out;
}

enum class Edit { Keep, Remove, Add };

// Myers' O(ND) shortest edit script. Keeps each round's frontier to walk back the path;
// IR dumps differ in a few hundred lines at most, so that stays small.
std::vector<Edit> edit_script(const std::vector<std::string>& a, const std::vector<std::string>& b) {
  const int n = static_cast<int>(a.size()), m = static_cast<int>(b.size()), offset = n + m + 1;
  std::vector<int> v(2 * offset + 1, 0);
  std::vector<std::vector<int>> trace;
  for (int d = 0; d <= n + m; ++d) {
    trace.push_back(v);
    bool done = false;
    for (int k = -d; k <= d && !done; k += 2) {
      int x = (k == -d || (k != d && v[offset + k - 1] < v[offset + k + 1])) ? v[offset + k + 1] : v[offset + k - 1] + 1;
      int y = x - k;
      while (x < n && y < m && a[x] == b[y]) ++x, ++y;
      v[offset + k] = x;
      done = x >= n && y >= m;
    }
    if (done) break;
  }
  std::vector<Edit> script;
  int x = n, y = m;
  for (int d = static_cast<int>(trace.size()) - 1; d >= 0; --d) {
    const auto& pv = trace[d];
    int k = x - y;
    int prev_k = (k == -d || (k != d && pv[offset + k - 1] < pv[offset + k + 1])) ? k + 1 : k - 1;
    int prev_x = d == 0 ? 0 : pv[offset + prev_k], prev_y = prev_x - prev_k;
    while (x > prev_x && y > prev_y) script.push_back(Edit::Keep), --x, --y;
    if (d > 0) script.push_back(x == prev_x ? Edit::Add : Edit::Remove);
    x = prev_x, y = prev_y;
  }
  std::reverse(script.begin(), script.end());
  return script;
}

}  // namespace

std::string unified_diff(const std::string& a, const std::string& b, const std::string& from, const std::string& to,
                         int context) {
  if (a == b) return "";
  auto la = lines_of(a), lb = lines_of(b);
  auto script = edit_script(la, lb);
  std::ostringstream out;
  out << "--- " << from << "\n+++ " << to << "\n";
  // Positions in a and b before each edit, to cut the script into hunks.
  std::vector<int> pa(script.size() + 1), pb(script.size() + 1);
  for (size_t i = 0; i < script.size(); ++i) {
    pa[i + 1] = pa[i] + (script[i] != Edit::Add);
    pb[i + 1] = pb[i] + (script[i] != Edit::Remove);
  }
  size_t i = 0;
  while (i < script.size()) {
    while (i < script.size() && script[i] == Edit::Keep) ++i;
    if (i == script.size()) break;
    size_t start = i >= static_cast<size_t>(context) ? i - context : 0, end = i;
    // Extend the hunk while the next change is within 2*context unchanged lines.
    for (size_t keep = 0; end < script.size(); ++end) {
      keep = script[end] == Edit::Keep ? keep + 1 : 0;
      if (keep > static_cast<size_t>(2 * context)) break;
    }
    size_t stop = end;
    while (stop > i && script[stop - 1] == Edit::Keep) --stop;
    stop = std::min(script.size(), stop + context);
    // As diff -u: an empty side's start is the line before it.
    int a_count = pa[stop] - pa[start], b_count = pb[stop] - pb[start];
    out << "@@ -" << pa[start] + (a_count > 0) << "," << a_count << " +" << pb[start] + (b_count > 0) << "," << b_count
        << " @@\n";
    for (size_t j = start; j < stop; ++j) {
      if (script[j] == Edit::Keep) out << " " << la[pa[j]] << "\n";
      if (script[j] == Edit::Remove) out << "-" << la[pa[j]] << "\n";
      if (script[j] == Edit::Add) out << "+" << lb[pb[j]] << "\n";
    }
    i = stop;
  }
  return out.str();
}

}  // namespace lmc::passes

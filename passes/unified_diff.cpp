#include "passes/unified_diff.h"

#include <algorithm>
#include <sstream>
#include <vector>

#include <dtl/dtl.hpp>

namespace lmc::passes {

namespace {

std::vector<std::string> lines_of(const std::string& s) {
  std::vector<std::string> out;
  std::istringstream in(s);
  for (std::string l; std::getline(in, l);) out.push_back(l);
  return out;
}

enum class Edit { Keep, Remove, Add };

// The shortest edit script from Debian's dtl (Wu's O(NP) algorithm); the hunks below are
// cut from it as `diff -u` cuts them, with the context the caller asks for.
std::vector<Edit> edit_script(const std::vector<std::string>& a, const std::vector<std::string>& b) {
  dtl::Diff<std::string, std::vector<std::string>> diff(a, b);
  diff.compose();
  std::vector<Edit> script;
  for (const auto& [line, info] : diff.getSes().getSequence())
    script.push_back(info.type == dtl::SES_COMMON ? Edit::Keep : info.type == dtl::SES_ADD ? Edit::Add : Edit::Remove);
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

#include "structured/gbnf_checks.h"

#include <string>
#include <vector>

namespace lmc::structured {

namespace {

// Rules that can match nothing, to a fixed point.
std::vector<bool> nullable_rules(const GbnfDraft& d) {
  std::vector<bool> nullable(d.rules.size(), false);
  for (bool changed = true; changed;) {
    changed = false;
    for (size_t r = 0; r < d.rules.size(); ++r) {
      if (nullable[r]) continue;
      for (const GbnfSequence& alt : d.rules[r].alternatives) {
        bool all = true;
        for (const GbnfSymbol& s : alt) all = all && s.is_rule && nullable[s.rule];
        if (all) {
          nullable[r] = changed = true;
          break;
        }
      }
    }
  }
  return nullable;
}

// The rules each rule may begin with: those its alternatives reference before their first
// part that cannot match nothing.
std::vector<std::vector<uint32_t>> leftmost_rules(const GbnfDraft& d) {
  const std::vector<bool> nullable = nullable_rules(d);
  std::vector<std::vector<uint32_t>> out(d.rules.size());
  for (size_t r = 0; r < d.rules.size(); ++r)
    for (const GbnfSequence& alt : d.rules[r].alternatives)
      for (const GbnfSymbol& s : alt) {
        if (!s.is_rule) break;
        out[r].push_back(s.rule);
        if (!nullable[s.rule]) break;
      }
  return out;
}

class CycleFinder {
 public:
  CycleFinder(const GbnfDraft& d, std::string_view text) : d_(d), text_(text), edges_(leftmost_rules(d)) {}

  void run() {
    color_.assign(d_.rules.size(), 0);
    for (uint32_t r = 0; r < d_.rules.size(); ++r)
      if (color_[r] == 0) visit(r);
  }

 private:
  // Depth first, without recursion: a chain of thousands of rules is a valid grammar.
  void visit(uint32_t start) {
    std::vector<std::pair<uint32_t, size_t>> path{{start, 0}};
    color_[start] = 1;
    while (!path.empty()) {
      auto& [r, next] = path.back();
      if (next == edges_[r].size()) {
        color_[r] = 2;
        path.pop_back();
        continue;
      }
      const uint32_t to = edges_[r][next++];
      if (color_[to] == 1) report(path, to);
      if (color_[to] == 0) {
        color_[to] = 1;
        path.emplace_back(to, 0);
      }
    }
  }

  uint32_t named_rule(uint32_t r) const {
    while (d_.rules[r].owner != UINT32_MAX) r = d_.rules[r].owner;
    return r;
  }

  [[noreturn]] void report(const std::vector<std::pair<uint32_t, size_t>>& path, uint32_t to) const {
    size_t from = 0;
    while (path[from].first != to) ++from;
    // The cycle in the rules as written: helpers stand for the rule they are part of.
    std::vector<uint32_t> names;
    bool only_repetitions = true;
    for (size_t k = from; k <= path.size(); ++k) {
      const uint32_t r = k < path.size() ? path[k].first : to;
      if (k < path.size()) only_repetitions = only_repetitions && d_.rules[r].repetition;
      if (names.empty() || names.back() != named_rule(r)) names.push_back(named_rule(r));
    }
    const uint32_t rule = named_rule(to);
    const std::string name = d_.rules[rule].name;
    if (only_repetitions)
      gbnf_fail(text_, d_.rules[to].place,
                "in rule '" + name + "', a repetition of a part that may match nothing (left recursion)");
    std::string cycle = name;
    for (size_t k = 1; k < names.size(); ++k) cycle += " -> " + d_.rules[names[k]].name;
    if (names.size() == 1) cycle += " -> " + name;
    gbnf_fail(text_, d_.rules[rule].place,
              "rule '" + name + "' is left-recursive (" + cycle + "); write the recursion on the right");
  }

  const GbnfDraft& d_;
  std::string_view text_;
  std::vector<std::vector<uint32_t>> edges_;
  std::vector<uint8_t> color_;  // 0 unseen, 1 on the path, 2 done
};

}  // namespace

uint32_t check_gbnf(const GbnfDraft& d, std::string_view text) {
  for (const GbnfDraftRule& r : d.rules)
    if (!r.defined) gbnf_fail(text, r.first_use, "rule '" + r.name + "' is not defined");
  uint32_t root = UINT32_MAX;
  for (uint32_t r = 0; r < d.rules.size(); ++r)
    if (d.rules[r].owner == UINT32_MAX && d.rules[r].name == "root") root = r;
  if (root == UINT32_MAX) gbnf_fail(text, text.size(), "the grammar has no 'root' rule (where matching starts)");
  CycleFinder(d, text).run();
  return root;
}

}  // namespace lmc::structured

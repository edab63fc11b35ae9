#include "structured/gbnf_grammar.h"

#include <algorithm>

#include "structured/gbnf_checks.h"
#include "structured/gbnf_parser.h"

namespace lmc::structured {

namespace {

// Sorted, with overlapping and adjacent ranges merged: a class is then covered by one.
std::vector<CodeRange> normalized(std::vector<CodeRange> r) {
  std::sort(r.begin(), r.end(), [](CodeRange a, CodeRange b) { return a.lo < b.lo; });
  std::vector<CodeRange> out;
  for (CodeRange c : r) {
    if (!out.empty() && c.lo <= out.back().hi + 1)
      out.back().hi = std::max(out.back().hi, c.hi);
    else
      out.push_back(c);
  }
  return out;
}

std::shared_ptr<const GbnfGrammar> flattened(const GbnfDraft& d, uint32_t root) {
  auto g = std::make_shared<GbnfGrammar>();
  g->root = root;
  g->rules.resize(d.rules.size());
  for (size_t r = 0; r < d.rules.size(); ++r) {
    g->names.push_back(d.rules[r].name);
    for (const GbnfSequence& alt : d.rules[r].alternatives) {
      g->rules[r].push_back(static_cast<uint32_t>(g->elements.size()));
      for (const GbnfSymbol& s : alt) {
        GbnfElement e;
        if (s.is_rule) {
          e.kind = GbnfElement::Kind::Rule;
          e.first = s.rule;
        } else {
          e.kind = GbnfElement::Kind::Chars;
          e.negated = s.negated;
          e.first = static_cast<uint32_t>(g->ranges.size());
          for (CodeRange c : normalized(s.ranges)) g->ranges.push_back(c);
          e.count = static_cast<uint32_t>(g->ranges.size()) - e.first;
        }
        g->elements.push_back(e);
      }
      g->elements.push_back(GbnfElement{});
    }
  }
  return g;
}

}  // namespace

bool GbnfGrammar::takes(const GbnfElement& e, uint32_t c) const {
  const CodeRange* begin = ranges.data() + e.first;
  const CodeRange* end = begin + e.count;
  const CodeRange* it = std::upper_bound(begin, end, c, [](uint32_t v, CodeRange r) { return v < r.lo; });
  const bool in = it != begin && c <= (it - 1)->hi;
  return in != e.negated;
}

bool GbnfGrammar::may_take(const GbnfElement& e, uint32_t lo, uint32_t hi) const {
  const CodeRange* begin = ranges.data() + e.first;
  const CodeRange* end = begin + e.count;
  for (const CodeRange* r = begin; r != end; ++r) {
    if (e.negated && r->lo <= lo && hi <= r->hi) return false;  // one range covers them all
    if (!e.negated && r->lo <= hi && lo <= r->hi) return true;
  }
  return e.negated;
}

std::shared_ptr<const GbnfGrammar> compile_gbnf(std::string_view text) {
  GbnfDraft d = parse_gbnf(text);
  const uint32_t root = check_gbnf(d, text);
  return flattened(d, root);
}

}  // namespace lmc::structured

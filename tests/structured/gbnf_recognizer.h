// Whether a whole text is of a GBNF grammar, decided apart from the matcher
// (gbnf_matcher.h): top down over the text's code points, each (rule, position) worked out
// once into the set of positions where the rule can end. Slow and simple, for tests: no
// stacks, no limits, no byte-at-a-time UTF-8.
#pragma once
#include <cstdint>
#include <map>
#include <set>
#include <string_view>
#include <utility>
#include <vector>

#include "structured/gbnf_grammar.h"

namespace lmc::structured::testing {

class GbnfRecognizer {
 public:
  explicit GbnfRecognizer(const GbnfGrammar& g) : g_(g) {}

  bool matches(std::string_view text) {
    memo_.clear();
    if (!decode(text)) return false;
    return rule_ends(g_.root, 0).count(cps_.size()) > 0;
  }

 private:
  bool decode(std::string_view text) {
    cps_.clear();
    for (size_t i = 0; i < text.size();) {
      const auto b = static_cast<unsigned char>(text[i]);
      const size_t len = b < 0x80 ? 1 : b >= 0xF0 ? 4 : b >= 0xE0 ? 3 : b >= 0xC2 ? 2 : 0;
      if (len == 0 || b >= 0xF5 || i + len > text.size()) return false;
      uint32_t c = len == 1 ? b : b & (0x7Fu >> len);
      for (size_t k = 1; k < len; ++k) {
        const auto cb = static_cast<unsigned char>(text[i + k]);
        if ((cb & 0xC0) != 0x80) return false;
        c = c << 6 | (cb & 0x3Fu);
      }
      cps_.push_back(c);
      i += len;
    }
    return true;
  }

  const std::set<size_t>& rule_ends(uint32_t rule, size_t pos) {
    auto key = std::make_pair(rule, pos);
    if (auto it = memo_.find(key); it != memo_.end()) return it->second;
    std::set<size_t> out;
    for (uint32_t alt : g_.rules[rule]) sequence_ends(alt, pos, out);
    return memo_[key] = std::move(out);
  }

  void sequence_ends(uint32_t place, size_t pos, std::set<size_t>& out) {
    const GbnfElement& e = g_.at(place);
    if (e.kind == GbnfElement::Kind::End) {
      out.insert(pos);
    } else if (e.kind == GbnfElement::Kind::Chars) {
      if (pos < cps_.size() && g_.takes(e, cps_[pos])) sequence_ends(place + 1, pos + 1, out);
    } else {
      const std::set<size_t> ends = rule_ends(e.first, pos);
      for (size_t p : ends) sequence_ends(place + 1, p, out);
    }
  }

  const GbnfGrammar& g_;
  std::vector<uint32_t> cps_;
  std::map<std::pair<uint32_t, size_t>, std::set<size_t>> memo_;
};

}  // namespace lmc::structured::testing

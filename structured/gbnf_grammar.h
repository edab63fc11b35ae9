// A GBNF grammar (llama.cpp's grammar language) compiled for matching: rules, each a list
// of alternatives, each a sequence of elements over Unicode code points. Every
// alternative is a run of elements ending in an End element, all in one array, so a
// place in the text being matched is just an index into it (gbnf_matcher.h). Groups and
// repetitions are rules of their own (gbnf_parser.h builds them), so an element is only
// a set of code points or a reference to a rule.
#pragma once
#include <cstdint>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace lmc::structured {

// A grammar that cannot be compiled: a syntax error, a rule used but never defined, no
// root, left recursion, or a size past the bounds below. `what()` begins with
// "LINE:COLUMN: " of the place at fault.
struct GbnfError : std::runtime_error {
  GbnfError(uint32_t line, uint32_t column, const std::string& message)
      : std::runtime_error(std::to_string(line) + ":" + std::to_string(column) + ": " + message),
        line(line),
        column(column),
        message(message) {}
  uint32_t line, column;
  std::string message;  // without the place
};

struct CodeRange {
  uint32_t lo, hi;  // inclusive
};

struct GbnfElement {
  enum class Kind : uint8_t { End, Chars, Rule };
  Kind kind = Kind::End;
  bool negated = false;  // Chars: any code point outside the ranges
  uint32_t first = 0;    // Chars: ranges[first, first + count); Rule: the rule's index
  uint32_t count = 0;
};

class GbnfGrammar {
 public:
  // Bounds against hostile grammars: a request's grammar is compiled on the server.
  static constexpr size_t kMaxRules = 10000;
  static constexpr size_t kMaxElements = 200000;
  static constexpr uint32_t kMaxRepetition = 1000;  // m and n of {m,n}

  std::vector<GbnfElement> elements;
  std::vector<CodeRange> ranges;                // of Chars elements: sorted, disjoint, not adjacent
  std::vector<std::vector<uint32_t>> rules;     // per rule: where each alternative begins in elements
  std::vector<std::string> names;               // per rule; a helper's is its rule's with a suffix
  uint32_t root = 0;

  const GbnfElement& at(uint32_t pos) const { return elements[pos]; }
  // Whether a Chars element takes code point c.
  bool takes(const GbnfElement& e, uint32_t c) const;
  // Whether it takes some code point in [lo, hi] (a character of which only the first
  // bytes are read).
  bool may_take(const GbnfElement& e, uint32_t lo, uint32_t hi) const;
};

// Throws GbnfError.
std::shared_ptr<const GbnfGrammar> compile_gbnf(std::string_view text);

}  // namespace lmc::structured

// A GBNF grammar as its parser (gbnf_parser.h) reads it, before the checks that need the
// whole text (gbnf_checks.h) and the flattening into a GbnfGrammar: rules by name, each
// alternative a sequence of symbols, groups and repetitions already rules of their own
// ("helpers", owned by the rule whose text they come from).
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "structured/gbnf_grammar.h"

namespace lmc::structured {

// A place in the grammar's text, as a byte offset; an error turns it into a line and a
// column (counted only then: a long grammar is read once).
using GbnfPlace = size_t;
// "LINE:COLUMN" of `at` in `text` (columns count characters, from 1).
std::string gbnf_where(std::string_view text, GbnfPlace at);
// Throws GbnfError at the line and column of `at` in `text`.
[[noreturn]] void gbnf_fail(std::string_view text, GbnfPlace at, const std::string& message);

struct GbnfSymbol {
  bool is_rule = false;
  uint32_t rule = 0;
  bool negated = false;
  std::vector<CodeRange> ranges;  // as written; the flattening sorts and merges them
};

using GbnfSequence = std::vector<GbnfSymbol>;

struct GbnfDraftRule {
  std::string name;
  std::vector<GbnfSequence> alternatives;
  bool defined = false;
  GbnfPlace place;              // of its definition (a helper: of its group or repetition)
  GbnfPlace first_use;          // of its first reference, for "not defined"
  uint32_t owner = UINT32_MAX;  // a helper's named rule; UINT32_MAX for a named rule
  bool repetition = false;      // a helper that repeats a part (x* and its kin)
};

struct GbnfDraft {
  std::vector<GbnfDraftRule> rules;
  size_t symbols = 0;  // in every sequence, for GbnfGrammar::kMaxElements
};

}  // namespace lmc::structured

// The guards a pass file may state: a fixed vocabulary, each entry a name, its syntax
// and what it checks, so that a refusal names the guard that failed and the table is
// the documentation (docs/writing-a-pass.md lists it). A guard reads the match's
// captures; it holds, or says why not in words a remark can carry ("%y has other users").
// `guard matches`, which extends the pattern, takes pattern lines and is parsed with the
// rule (pass_file_parser.cpp); the region guard (ir::region_shape, through
// Rewriter::fusion_blocker) runs after every rule's own guards.
#pragma once
#include <functional>
#include <string>
#include <vector>

#include "ir/graph.h"
#include "ir/op_traits.h"
#include "passes/api/op_pattern.h"
#include "passes/text/line_lexer.h"

namespace lmc::passes::text {

// `%m.axis` in a `holds` guard: the parser checks that an op the capture's line may match
// has the attribute.
struct AttributeUse {
  std::string capture, attr;
  int col = 0;
};

struct Guard {
  std::string text;                   // as written after `guard`, for messages
  std::vector<std::string> captures;  // the captures it reads, each checked bound by the parser
  std::vector<int> capture_cols;      // where each is written
  std::vector<AttributeUse> attributes;
  // "" when the guard holds, else why not. May extend the match (guard matches).
  std::function<std::string(const ir::Graph&, Match&)> check;
};

struct GuardKind {
  const char* name;
  const char* syntax;
  const char* meaning;
  void (*parse)(LineLexer& lx, Guard& g);  // reads the arguments after the name, sets captures and check
};

// A trait of the op table an op may have (ir/op_traits.h), by the name a pass file uses.
using TraitTest = bool (*)(const ir::OpTraits&);
// Reads a trait's name: input-prologue, epilogue, kernel, ... (trait_names()).
TraitTest parse_trait(LineLexer& lx);

// Every guard but `matches`, in the order the docs list them.
const std::vector<GuardKind>& guard_vocabulary();
// The names of the traits `trait` and `only-input-of` accept.
std::vector<std::string> trait_names();

}  // namespace lmc::passes::text

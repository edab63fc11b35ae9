// The text of a GBNF grammar read into a draft (gbnf_draft.h). The language, as llama.cpp
// has it: `name ::= alternatives` rules (names of letters, digits, '-' and '_'), `|`
// between alternatives, sequences, `( ... )` groups, "literals" and [classes] (`[^...]`
// negated, `a-z` ranges) with the escapes \n \r \t \\ \" \' \[ \] \- \^ \xHH \uHHHH
// \UHHHHHHHH, `.` for any character, the repetitions `*`, `+`, `?`, `{m}`, `{m,}`, `{m,n}`
// and `{,n}` of the part before them, and `#` comments. A rule ends at the end of its line
// unless a group is open or the next line begins with `|`.
//
// Repetitions become rules: x* is R ::= x R | (nothing); x{2,4} is x x R2 with
// R2 ::= x R1 | (nothing), R1 ::= x | (nothing). Their counts, the rules and the symbols
// are bounded (GbnfGrammar's constants), so a short text cannot ask for a huge grammar.
#pragma once
#include <string_view>

#include "structured/gbnf_draft.h"

namespace lmc::structured {

// Throws GbnfError at the place of a syntax error or of a bound passed.
GbnfDraft parse_gbnf(std::string_view text);

}  // namespace lmc::structured

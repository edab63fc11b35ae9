// What a GBNF grammar must be beyond its syntax, checked on the whole draft
// (gbnf_draft.h): every rule it uses is defined, it has a `root`, and no rule is left
// recursive, directly (a ::= a "x") or through others (a ::= b "x", b ::= a | "y"), also
// behind parts that may match nothing (a ::= "x"? a). A left-recursive rule would have the
// matcher (gbnf_matcher.h) expand it for ever without reading a byte.
#pragma once
#include <string_view>

#include "structured/gbnf_draft.h"

namespace lmc::structured {

// Throws GbnfError naming the rule and its place. Returns the root's index.
uint32_t check_gbnf(const GbnfDraft& d, std::string_view text);

}  // namespace lmc::structured

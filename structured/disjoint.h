// Whether two alternatives of a oneOf are safe to generate: an answer one of them allows
// must not be valid under the other (oneOf means exactly one). Answers are generated from
// the grammar but judged by the schema, which may allow more (other types where it names
// none, properties it does not list), so each side is read its own way. It answers
// false when unsure, so a oneOf it cannot prove is refused, never generated.
#pragma once
#include <cstdint>

#include "structured/json_grammar.h"

namespace lmc::structured {

// Before Grammar::finish: needs only the nodes' kinds, texts, properties and links.
bool disjoint(const Grammar& g, uint32_t a, uint32_t b);

}  // namespace lmc::structured

// llama-server's `grammar` request field (on /completion, /v1/completions and
// /v1/chat/completions): a GBNF grammar (structured/gbnf_grammar.h) the answer keeps to.
// An empty string asks for nothing, as in llama-server. A grammar that does not compile is
// a 400 naming the field and the line and column in the grammar; so is a grammar beside
// another answer format (response_format, json_schema, tools), which it would contradict.
#pragma once
#include <initializer_list>
#include <memory>

#include <nlohmann/json.hpp>

#include "structured/gbnf_grammar.h"

namespace lmc::tools {

// The grammar `body` gives, compiled; null when none. `others`: the fields it cannot be
// given with.
std::shared_ptr<const structured::GbnfGrammar> parse_grammar_field(const nlohmann::json& body,
                                                                   std::initializer_list<const char*> others);

}  // namespace lmc::tools

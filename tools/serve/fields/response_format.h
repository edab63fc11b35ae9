// OpenAI's response_format field of a request to `lmc serve`: {"type": "text"} (no
// constraint), {"type": "json_object"} (the answer is one JSON object), or
// {"type": "json_schema", "json_schema": {"name", "schema", "description"?, "strict"?}}
// (the answer is JSON valid under the schema, as structured/schema_compiler.h compiles it).
// A field or schema keyword that cannot be honoured is an ApiError (HTTP 400) naming it.
#pragma once
#include <memory>
#include <nlohmann/json.hpp>

#include "structured/json_grammar.h"

namespace lmc::tools {

// The grammar answers must follow; nullptr for text. Ordered JSON: an object's answer
// lists its properties in the order the schema does.
std::shared_ptr<const structured::Grammar> parse_response_format(const nlohmann::ordered_json& v);

}  // namespace lmc::tools

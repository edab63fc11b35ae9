#include "tools/serve/fields/grammar_field.h"

#include <string>

#include "tools/serve/fields/request_fields.h"

namespace lmc::tools {

std::shared_ptr<const structured::GbnfGrammar> parse_grammar_field(const nlohmann::json& body,
                                                                   std::initializer_list<const char*> others) {
  const nlohmann::json* v = given_field(body, "grammar");
  if (!v) return nullptr;
  if (!v->is_string()) invalid_field("grammar", "'grammar' must be a string (a GBNF grammar)");
  if (v->get_ref<const std::string&>().empty()) return nullptr;
  for (const char* other : others)
    if (given_field(body, other))
      invalid_field("grammar", std::string("'grammar' cannot be combined with '") + other + "'");
  try {
    return structured::compile_gbnf(v->get_ref<const std::string&>());
  } catch (const structured::GbnfError& e) {
    invalid_field("grammar",
                  "'grammar' at " + std::to_string(e.line) + ":" + std::to_string(e.column) + ": " + e.message);
  }
}

}  // namespace lmc::tools

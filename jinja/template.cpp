// Parsing once (and walking the AST once for its static facts), rendering per call
// (template.h): the context's keys join the globals in the root frame, and an evaluation
// error gets the template's name and line.
#include "jinja/template.h"

#include "jinja/globals.h"
#include "jinja/json_value.h"
#include "jinja/lexer.h"
#include "jinja/parser.h"
#include "jinja/renderer.h"
#include "support/error.h"

namespace lmc::jinja {

Template::Template(std::string_view source, std::string name)
    : name_(std::move(name)),
      body_(parse(tokenize(source, name_), name_)),
      facts_(static_facts(body_, global_names())) {}

std::string Template::render(const nlohmann::ordered_json& context, const Limits& limits) const {
  if (!context.is_object()) throw error_at(name_, "the context to render with is not a JSON object");
  Frame root;
  add_globals(root);
  Renderer r(limits);
  try {
    for (const auto& [key, value] : context.items()) root.vars[key] = from_json(value);
    return r.render(body_, root);
  } catch (const EvalError& e) {
    throw error_at(name_ + ":" + std::to_string(r.line()), e.what());
  }
}

}  // namespace lmc::jinja

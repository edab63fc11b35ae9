// Jinja2's builtin filters that chat templates use, with Jinja2's parameter names and
// defaults, plus tojson as Hugging Face defines it (no HTML escaping, ensure_ascii off).
#pragma once
#include <string>

#include "jinja/value.h"

namespace lmc::jinja {

// subject | name(args); an unknown name is an error naming it.
Value apply_filter(Renderer& r, const std::string& name, const Value& subject, CallArgs& args);

}  // namespace lmc::jinja

// Jinja2's builtin tests ("x is defined", "x is divisibleby 3", "x is equalto y"...).
#pragma once
#include <string>

#include "jinja/value.h"

namespace lmc::jinja {

// subject is name(args); an unknown name is an error naming it.
bool apply_test(Renderer& r, const std::string& name, const Value& subject, CallArgs& args);

}  // namespace lmc::jinja

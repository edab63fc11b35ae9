// The names a chat template finds without being given them: Jinja2's range, dict and
// namespace, and Hugging Face's raise_exception and strftime_now.
#pragma once
#include <set>
#include <string>

#include "jinja/renderer.h"

namespace lmc::jinja {

void add_globals(Frame& root);
// Their names: what a template reads without the context giving it.
std::set<std::string> global_names();

}  // namespace lmc::jinja

// The names a chat template finds without being given them: Jinja2's range, dict and
// namespace, and Hugging Face's raise_exception and strftime_now.
#pragma once
#include "jinja/renderer.h"

namespace lmc::jinja {

void add_globals(Frame& root);

}  // namespace lmc::jinja

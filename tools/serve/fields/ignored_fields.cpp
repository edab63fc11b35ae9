#include "tools/serve/fields/ignored_fields.h"

#include <cstdio>

#include "support/untrusted_text.h"
#include "tools/serve/fields/request_fields.h"

namespace lmc::tools {

void handle_ignored_fields(const std::vector<std::string>& fields, bool strict) {
  if (fields.empty()) return;
  if (strict)
    invalid_field(fields.front(), "unrecognized request argument '" + fields.front() + "' (lmc serve --strict-fields)");
  std::string names;
  for (const auto& f : fields) names += (names.empty() ? "'" : ", '") + excerpt(f) + "'";
  std::fprintf(stderr, "lmc: note: request fields ignored, unknown to lmc: %s (--strict-fields refuses them)\n",
               names.c_str());
}

}  // namespace lmc::tools

#include "passes/pass_context.h"

#include <charconv>

#include "ir/error.h"

namespace lmc::passes {

int64_t PassContext::int_option(const std::string& k, int64_t dflt) const {
  auto v = option(k);
  if (!v) return dflt;
  int64_t out = 0;
  auto r = std::from_chars(v->data(), v->data() + v->size(), out);
  if (r.ec != std::errc() || r.ptr != v->data() + v->size())
    throw Error("option '" + k + "' expects an integer, got '" + *v + "'");
  return out;
}

}  // namespace lmc::passes

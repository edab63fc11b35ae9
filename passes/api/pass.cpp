#include "passes/api/pass.h"

#include <charconv>

namespace lmc::passes {

std::optional<std::string> Pass::option(const std::string& name) const {
  if (auto it = values_.find(name); it != values_.end()) return it->second;
  for (const auto& o : options())
    if (o.name == name && !o.default_value.empty()) return o.default_value;
  return std::nullopt;
}

int64_t Pass::int_option(const std::string& name, int64_t dflt) const {
  auto v = option(name);
  return v ? std::stoll(*v) : dflt;
}

double Pass::float_option(const std::string& name, double dflt) const {
  double out = dflt;
  if (auto v = option(name)) std::from_chars(v->data(), v->data() + v->size(), out);
  return out;
}

}  // namespace lmc::passes

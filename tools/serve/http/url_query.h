// A value of a request's query string ("url=http%3A%2F%2Fa&b=1"): percent escapes and '+'
// decoded, as browsers encode forms and URLs.
#pragma once
#include <optional>
#include <string>

namespace lmc::tools {

// The first `name=value`'s value; nullopt when the name is not there or an escape is broken.
std::optional<std::string> query_value(const std::string& query, const std::string& name);

}  // namespace lmc::tools

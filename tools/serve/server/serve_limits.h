// The transport's limits lmc serve's options set (timeouts, body size, connections), for the
// server with a model and the one started without.
#pragma once

#include "tools/serve/engine/api_server.h"
#include "tools/serve/http/http_server.h"

namespace lmc::tools {

http::Limits limits_of(const ServeOptions& o);

}  // namespace lmc::tools

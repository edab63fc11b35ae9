// `lmc serve` started without a model, as llama-server's command lines without one start its
// router: lmc has no router (llama-server's loads the models of its cache on demand), so this
// server answers only what needs no model — /health, an empty /v1/models, a browser's
// preflight under --cors-origins, --tools' /tools — and 503 with a JSON error saying so to
// every other request.
#pragma once
#include <memory>

#include "tools/serve/engine/api_server.h"

namespace lmc::tools {

std::unique_ptr<ApiServer> make_modelless_server(ServeOptions opts);

}  // namespace lmc::tools

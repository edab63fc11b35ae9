// `lmc serve` without a model: llama-server's router. It serves the models of --models-dir,
// each by its own lmc serve on this machine's loopback (model_registry.h), and hands every
// request to the one its "model" names (the JSON body's field; a GET's ?model=), loading it
// first when it is not running (unless --no-models-autoload or ?autoload=false say not). It
// answers itself: /health, /models and /v1/models (every model and its status), POST
// /models/load and /models/unload, /props without ?model= (the router's own, role "router"),
// a browser's preflight, --tools' /tools and --ui-mcp-proxy's /cors-proxy. Its API keys are
// checked here; the models' servers answer the router alone (router_key.h).
#pragma once
#include <memory>

#include "tools/serve/engine/api_server.h"
#include "tools/serve/engine/router_options.h"

namespace lmc::tools {

std::unique_ptr<ApiServer> make_router_server(ServeOptions opts, RouterOptions router);

}  // namespace lmc::tools

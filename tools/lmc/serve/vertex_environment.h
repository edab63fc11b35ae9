// Vertex AI's custom-container variables, read as llama-server reads them: with
// AIP_MODE=PREDICTION, lmc serve answers the predict route (AIP_PREDICT_ROUTE, default
// /predict; tools/serve/vertex/vertex_predict.h), its health at AIP_HEALTH_ROUTE as well as /health,
// and listens on AIP_HTTP_PORT (default 8080), which wins over --port.
#pragma once
#include "tools/serve/engine/api_server.h"

namespace lmc::tools {

// Sets opts' vertex routes and port from the environment; throws UsageError for a port that
// is not one.
void read_vertex_environment(ServeOptions& opts);

}  // namespace lmc::tools

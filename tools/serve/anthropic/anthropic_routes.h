// Anthropic's Messages API's routes: POST /v1/messages, whole or streamed, and
// /v1/messages/count_tokens, added to the server by the route table (tools/serve/route_table.cpp).
#pragma once

namespace lmc::tools {

class HttpApiServer;
void anthropic_routes(HttpApiServer& server);

}  // namespace lmc::tools

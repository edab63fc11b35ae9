// OpenAI's Responses API's routes: POST /v1/responses (and llama-server's /responses), whole or
// streamed, and /v1/responses/input_tokens, added to the server by the route table
// (tools/serve/route_table.cpp).
#pragma once

namespace lmc::tools {

class HttpApiServer;
void responses_routes(HttpApiServer& server);

}  // namespace lmc::tools

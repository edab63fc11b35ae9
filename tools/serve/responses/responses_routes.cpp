// OpenAI's Responses API on lmc serve: POST /v1/responses (and llama-server's /responses),
// whole or streamed, and /v1/responses/input_tokens, each read as the chat it stands for
// (responses_request.h) and answered through responses_exchange (responses_answer.h).
#include "tools/serve/responses/responses_routes.h"

#include "tools/serve/answer/answer_json.h"
#include "tools/serve/responses/responses_answer.h"
#include "tools/serve/responses/responses_request.h"
#include "tools/serve/server/http_api_server.h"

namespace lmc::tools {

void responses_routes(HttpApiServer& server) {
  using Ex = std::shared_ptr<http::Exchange>;
  for (const char* path : {"/v1/responses", "/responses"})
    server.add_chat_generation(
        path, [](const std::string& body) { return responses_chat_request(body).dump(); },
        [](const Ex& ex, const std::string&) { return responses_exchange(ex); });
  for (const char* path : {"/v1/responses/input_tokens", "/responses/input_tokens"})
    server.add_route("POST", path, [&server](const http::Request& req, const Ex& ex) {
      send_json(*ex, 200,
                {{"object", "response.input_tokens"},
                 {"input_tokens", server.chat_prompt_tokens(responses_chat_request(req.body).dump())}});
    });
}

}  // namespace lmc::tools

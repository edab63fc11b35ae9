// OpenAI's Responses API on lmc serve: POST /v1/responses (and llama-server's /responses),
// whole or streamed, and /v1/responses/input_tokens, each read as the chat it stands for
// (responses_request.h) and answered through responses_exchange (responses_answer.h).
#include "tools/serve/responses/responses_answer.h"
#include "tools/serve/responses/responses_request.h"
#include "tools/serve/server/http_api_server.h"

namespace lmc::tools {

void HttpApiServer::responses_routes() {
  using Ex = std::shared_ptr<http::Exchange>;
  for (const char* path : {"/v1/responses", "/responses"}) {
    routes_[{"POST", path}] = [this](const http::Request& req, const Ex& ex) {
      if (!engine_) throw ApiError(501, "not_supported_error", "this server computes embeddings and does not generate");
      http::Request as_chat = req;
      as_chat.body = responses_chat_request(req.body).dump();
      generate(as_chat, responses_exchange(ex), Shape::Chat);
    };
    generations_.insert(path);
  }
  for (const char* path : {"/v1/responses/input_tokens", "/responses/input_tokens"})
    routes_[{"POST", path}] = [this](const http::Request& req, const Ex& ex) {
      send_json(*ex, 200,
                {{"object", "response.input_tokens"},
                 {"input_tokens", chat_prompt_tokens(responses_chat_request(req.body).dump())}});
    };
}

}  // namespace lmc::tools

// Anthropic's Messages API on lmc serve: POST /v1/messages, whole or streamed, and
// /v1/messages/count_tokens — each request read as the chat it stands for
// (anthropic_request.h), its answer written in Anthropic's shape (anthropic_answer.h).
#include "tools/serve/anthropic/anthropic_routes.h"

#include "tools/serve/answer/answer_json.h"
#include "tools/serve/anthropic/anthropic_answer.h"
#include "tools/serve/anthropic/anthropic_request.h"
#include "tools/serve/server/http_api_server.h"

namespace lmc::tools {

void anthropic_routes(HttpApiServer& server) {
  using Ex = std::shared_ptr<http::Exchange>;
  server.add_chat_generation(
      "/v1/messages", [](const std::string& body) { return anthropic_chat_request(body).dump(); },
      [&server](const Ex& ex, const std::string& chat) {
        return anthropic_exchange(ex, server.chat_prompt_tokens(chat));
      });
  server.add_route("POST", "/v1/messages/count_tokens", [&server](const http::Request& req, const Ex& ex) {
    send_json(*ex, 200, {{"input_tokens", server.chat_prompt_tokens(anthropic_chat_request(req.body).dump())}});
  });
}

}  // namespace lmc::tools

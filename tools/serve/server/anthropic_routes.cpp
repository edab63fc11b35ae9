// Anthropic's Messages API on lmc serve: POST /v1/messages, whole or streamed, and
// /v1/messages/count_tokens — each request read as the chat it stands for
// (anthropic_request.h), its answer written in Anthropic's shape (anthropic_answer.h).
#include "tools/serve/answer/answer_json.h"
#include "tools/serve/anthropic/anthropic_answer.h"
#include "tools/serve/anthropic/anthropic_request.h"
#include "tools/serve/request/chat_prompt.h"
#include "tools/serve/request/template_fields.h"
#include "tools/serve/server/http_api_server.h"

namespace lmc::tools {

int64_t HttpApiServer::chat_prompt_tokens(const std::string& body) const {
  const models::Tokenizer& tok = *m_.tokenizer;
  ServeRequest r =
      parse_request(body, true, m_.info.context, static_cast<int64_t>(tok.size()), opts_.sampling, tool_format_);
  add_server_template_kwargs(opts_.template_kwargs, r);
  return static_cast<int64_t>(tok.encode(chat_prompt(chat_, r, m_.info.name, tok.wants_bos()), tok.wants_bos()).size());
}

void HttpApiServer::anthropic_routes() {
  using Ex = std::shared_ptr<http::Exchange>;
  routes_[{"POST", "/v1/messages"}] = [this](const http::Request& req, const Ex& ex) {
    if (!engine_) throw ApiError(501, "not_supported_error", "this server computes embeddings and does not generate");
    http::Request as_chat = req;
    as_chat.body = anthropic_chat_request(req.body).dump();
    generate(as_chat, anthropic_exchange(ex, chat_prompt_tokens(as_chat.body)), Shape::Chat);
  };
  generations_.insert("/v1/messages");
  routes_[{"POST", "/v1/messages/count_tokens"}] = [this](const http::Request& req, const Ex& ex) {
    send_json(*ex, 200, {{"input_tokens", chat_prompt_tokens(anthropic_chat_request(req.body).dump())}});
  };
}

}  // namespace lmc::tools

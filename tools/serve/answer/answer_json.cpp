#include "tools/serve/answer/answer_json.h"

#include <chrono>

namespace lmc::tools {

using nlohmann::json;

std::string dump(const json& j) { return j.dump(-1, ' ', false, json::error_handler_t::replace); }

void send_json(http::Exchange& ex, int status, const json& body, http::Headers headers) {
  ex.reply(status, "application/json", dump(body), std::move(headers));
}

std::string sse(const json& chunk) { return "data: " + dump(chunk) + "\n\n"; }

json choice_chunk(bool chat, const std::string& text, const json& finish) {
  if (chat)
    return {
        {"index", 0}, {"delta", text.empty() ? json::object() : json{{"content", text}}}, {"finish_reason", finish}};
  return {{"index", 0}, {"text", text}, {"logprobs", json()}, {"finish_reason", finish}};
}

json usage(const JobResult& r) {
  return {{"prompt_tokens", r.prompt_tokens},
          {"completion_tokens", r.completion_tokens},
          {"total_tokens", r.prompt_tokens + r.completion_tokens},
          {"prompt_tokens_details", {{"cached_tokens", r.cached_tokens}}}};
}

int64_t now_seconds() {
  return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

}  // namespace lmc::tools

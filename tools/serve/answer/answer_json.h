// The JSON of lmc serve's answers as they go out: a body (generated text may hold invalid
// UTF-8, a byte token the decoder could not complete: replaced by U+FFFD, not a failed
// response), a server-sent event, a completion's choice chunk, OpenAI's usage, and the
// `created` time.
#pragma once
#include <cstdint>
#include <string>

#include <nlohmann/json.hpp>

#include "tools/serve/engine/serve_engine.h"
#include "tools/serve/http/http_server.h"

namespace lmc::tools {

std::string dump(const nlohmann::json& j);
void send_json(http::Exchange& ex, int status, const nlohmann::json& body, http::Headers headers = {});
std::string sse(const nlohmann::json& chunk);
// A stream's choice: a chat's delta (its content when there is text) or a completion's text.
nlohmann::json choice_chunk(bool chat, const std::string& text, const nlohmann::json& finish);
nlohmann::json usage(const JobResult& r);
int64_t now_seconds();

}  // namespace lmc::tools

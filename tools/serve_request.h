// An OpenAI API request to `lmc serve` (POST /v1/completions, /v1/chat/completions), read
// from its JSON body and checked: each field the server honours must have the right type
// and range, else an ApiError names the field (HTTP 400). Fields it does not honour are
// ignored, as OpenAI's API ignores what a model does not support.
#pragma once
#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "runtime/sampler.h"

namespace lmc::tools {

// An error answered as HTTP `status` with OpenAI's body {"error": {"message", "type", "param"}}.
struct ApiError : std::runtime_error {
  ApiError(int status, std::string type, const std::string& message, std::string param = "")
      : std::runtime_error(message), status(status), type(std::move(type)), param(std::move(param)) {}
  int status;
  std::string type;   // "invalid_request_error", "authentication_error", ...
  std::string param;  // the offending field, "" when none
};

struct ChatMessage {
  std::string role;  // system, user or assistant
  std::string content;
};

struct ServeRequest {
  bool chat = false;
  std::string prompt;                 // /v1/completions
  std::vector<ChatMessage> messages;  // /v1/chat/completions
  std::optional<std::string> model;
  std::optional<int64_t> max_tokens;  // absent: until end of text or context
  runtime::SamplerOptions sampling;   // OpenAI's defaults: temperature 1, top_p 1
  bool seeded = false;                // a seed was given (else the server draws one)
  std::vector<std::string> stop;
  bool stream = false;
};

// `max_tokens_limit`: the most tokens a request may ask for (the context).
ServeRequest parse_request(std::string_view body, bool chat, int64_t max_tokens_limit);

}  // namespace lmc::tools

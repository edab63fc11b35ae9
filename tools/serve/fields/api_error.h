// An error a request to lmc serve is answered with: the HTTP status and what OpenAI's error
// body {"error": {"message", "type", "param"}} says (api_errors.h writes it). Every reader of
// a request's fields throws it, from the field checks they share (request_fields.h) up.
#pragma once
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>

namespace lmc::tools {

// An error answered as HTTP `status` with OpenAI's body {"error": {"message", "type", "param"}}.
struct ApiError : std::runtime_error {
  ApiError(int status, std::string type, const std::string& message, std::string param = "", int retry_after = 0)
      : std::runtime_error(message),
        status(status),
        type(std::move(type)),
        param(std::move(param)),
        retry_after(retry_after) {}
  int status;
  std::string type;     // "invalid_request_error", "authentication_error", ...
  std::string param;    // the offending field, "" when none
  int retry_after = 0;  // > 0: seconds for a Retry-After header (a 503 of a full queue)
  nlohmann::json details = nullptr;  // fields the error object adds (llama-server's n_prompt_tokens, n_ctx)
};

}  // namespace lmc::tools

#include "tools/serve/answer/api_errors.h"

#include <cmath>

namespace lmc::tools {

namespace {

using nlohmann::json;

// When a client refused for a full queue, or one that waited past its timeout, may try again.
constexpr int kRetryAfterSeconds = 1;

}  // namespace

json error_body(int status, const std::string& type, const std::string& message, const std::string& param,
                const json& details) {
  json error = {
      {"message", message}, {"type", type}, {"param", param.empty() ? json() : json(param)}, {"code", status}};
  if (details.is_object()) error.update(details);
  return {{"error", error}};
}

json error_body(const ApiError& e) { return error_body(e.status, e.type, e.what(), e.param, e.details); }

http::Headers retry_after(int seconds) {
  if (seconds <= 0) return {};
  return {{"Retry-After", std::to_string(seconds)}};
}

ApiError queue_timeout_error(const EngineCounters& c) {
  return ApiError(503, "server_overloaded",
                  "no slot came free within the queue's " + std::to_string(std::lround(c.queue_timeout_seconds)) +
                      " s (--queue-timeout); retry later",
                  "", kRetryAfterSeconds);
}

ApiError queue_full_error(const EngineCounters& c) {
  return ApiError(
      503, "server_overloaded",
      "every slot is busy and " + std::to_string(c.queue_limit) + " requests wait already (--queue); retry later", "",
      kRetryAfterSeconds);
}

const char* status_type(int status) {
  switch (status) {
    case 401:
      return "authentication_error";
    case 404:
      return "not_found_error";
    case 408:
      return "request_timeout";
    case 413:
      return "request_too_large";
    case 501:
      return "not_supported_error";
    case 503:
      return "server_overloaded";
    default:
      return status >= 500 ? "server_error" : "invalid_request_error";
  }
}

json job_failure_body(const JobResult& r, const EngineCounters& c) {
  if (r.finish_reason != "queue_timeout") return error_body(500, "server_error", r.error);
  return error_body(queue_timeout_error(c));
}

}  // namespace lmc::tools

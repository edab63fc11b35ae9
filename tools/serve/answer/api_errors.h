// lmc serve's errors as OpenAI's API and llama-server answer them: the body {"error":
// {"message", "type", "param", "code"}}, its code the HTTP status as llama-server's (with
// the fields some errors add, such as a prompt past the context's n_prompt_tokens and n_ctx),
// the type a status stands for, and the 503s of a full or slow queue with the Retry-After
// that tells the client when to try again.
#pragma once
#include <string>

#include <nlohmann/json.hpp>

#include "tools/serve/engine/serve_engine.h"
#include "tools/serve/http/http_server.h"
#include "tools/serve/request/serve_request.h"

namespace lmc::tools {

nlohmann::json error_body(int status, const std::string& type, const std::string& message,
                          const std::string& param = "", const nlohmann::json& details = nullptr);
// An ApiError's body.
nlohmann::json error_body(const ApiError& e);
// OpenAI's error type for an HTTP status ("authentication_error" for 401, ...).
const char* status_type(int status);
// The Retry-After header of an error that asks for one (none for `seconds` 0).
http::Headers retry_after(int seconds);
// A request that waited --queue-timeout for a slot: the 503 a full queue answers too.
ApiError queue_timeout_error(const EngineCounters& c);
// A request past the queue's bound (--queue).
ApiError queue_full_error(const EngineCounters& c);
// The error body of a job that failed once its answer had begun (a stream's last event):
// the queue's timeout as queue_timeout_error words it, else a server error.
nlohmann::json job_failure_body(const JobResult& r, const EngineCounters& c);

}  // namespace lmc::tools

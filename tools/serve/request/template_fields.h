// A chat request's fields for its template and its reasoning, as llama-server reads them:
// `add_generation_prompt` (true unless false), `chat_template_kwargs` (an object whose keys
// become the template's variables, e.g. Qwen3's `enable_thinking`, a boolean when given),
// `reasoning_effort` (a string: the template's variable of that name, as llama-server passes
// it; "none" sets `enable_thinking` false instead) and `reasoning_format` (a
// ReasoningFormat's name, over the server's --reasoning-format). A kwarg may not replace
// what the template is given itself (messages, tools, add_generation_prompt, bos_token,
// eos_token). Each failure is an ApiError 400 naming the field.
#pragma once
#include <nlohmann/json.hpp>

#include "tools/serve/request/serve_request.h"

namespace lmc::tools {

void template_fields(const nlohmann::ordered_json& body, ServeRequest& r);

// The server's --chat-template-kwargs, checked as a request's are once, when the server
// starts (lmc::Error naming the flag); then put under each request's own variables: a
// variable the request sets wins.
void check_server_template_kwargs(const nlohmann::ordered_json& kwargs);
void add_server_template_kwargs(const nlohmann::ordered_json& kwargs, ServeRequest& r);

}  // namespace lmc::tools

// llama-server's `chat_template_caps` in /props: what the chat template does with tools,
// calls and roles, found as llama-server finds them, by rendering probe conversations and
// looking for the probes in the text (a template that ignores a system message, or raises
// on one, does not support it). Told once when the server starts.
#pragma once
#include <nlohmann/json.hpp>

#include "models/chat/chat_template.h"

namespace lmc::tools {

// {supports_system_role, supports_tools, supports_tool_calls, supports_tool_responses,
// supports_parallel_tool_calls, supports_tool_call_id}; null without a template.
nlohmann::json chat_template_caps(const models::ChatTemplate* chat);

}  // namespace lmc::tools

// Anthropic's Messages API (POST /v1/messages, /v1/messages/count_tokens) read as the OpenAI
// chat request it stands for, which lmc serve then answers as any chat: the system field, a string or
// text blocks, as the first message; text blocks joined; an assistant's tool_use blocks as
// its tool_calls and thinking as its reasoning_content; a user's tool_result blocks as "tool"
// messages; tools' input_schema as parameters; tool_choice, stop_sequences and the sampling
// fields by their OpenAI names. Fields Anthropic has and a chat does not (metadata, thinking,
// cache_control) are dropped.
#pragma once
#include <nlohmann/json.hpp>
#include <string>

namespace lmc::tools {

// The chat request of a Messages request's body; throws ApiError (400) naming the field
// that is not Anthropic's shape.
nlohmann::json anthropic_chat_request(const std::string& body);

}  // namespace lmc::tools

// OpenAI's Responses API (POST /v1/responses, /v1/responses/input_tokens) read as the chat
// request it stands for, which lmc serve then answers as any chat: `instructions` as the
// first, system message; `input` a string (the user's message) or a list of messages whose
// content is a string or input_text/output_text parts, and input_image parts whose image_url
// is a data URI (a chat's image_url parts; `detail` unread); max_output_tokens as max_tokens;
// the sampling fields, stream and llama-server's extensions (timings_per_token,
// return_progress) as they are. What a chat cannot stand for is refused naming the field:
// tools, previous_response_id (lmc keeps no conversations), an image's file_id (lmc keeps no
// files), input_file and other parts.
#pragma once
#include <nlohmann/json.hpp>
#include <string>

namespace lmc::tools {

// The chat request of a Responses request's body; throws ApiError (400) naming the field.
nlohmann::json responses_chat_request(const std::string& body);

}  // namespace lmc::tools

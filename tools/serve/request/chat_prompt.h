// A chat request's messages as the text the model reads: rendered by the model's chat
// template (its own Jinja template, --chat-template-file's, or the family it falls back
// to; models/chat/chat_template.h) with the generation prompt after them. What the
// template refuses (a raise_exception, roles out of turn) is an ApiError 400.
//
// Tools reach the template as apply_chat_template passes them. A template that never reads
// `tools` (SmolLM2's) is taught them all the same: lmc writes the tool list into the
// system message, and earlier calls into the assistant's text, in the Hermes form
// (tools/serve/tool_calls/tool_call_format.h), which the model is then asked to answer in.
#pragma once
#include <string>
#include <vector>

#include "models/chat/chat_template.h"
#include "tools/serve/request/serve_request.h"

namespace lmc::tools {

// `chat` null: the model has no chat format (400 naming `model_name`). The request's
// messages with its tools, template variables and add_generation_prompt, as llama-server's
// /apply-template renders a conversation not ending with the user or a tool: the
// assistant's text last is continued (the messages before it with the generation prompt,
// then that text, open); the assistant's calls last are a finished turn (no generation
// prompt).
std::string rendered_chat(const models::ChatTemplate* chat, const ServeRequest& r, const std::string& model_name);
// The rendered chat as the tokenizer reads it (a BOS the template wrote is not read twice),
// ending with the opening of a call in the template's form when the request requires one.
// An answer is continued only from text (400 for the assistant's calls last, as
// llama-server), and not into a call the request requires.
std::string chat_prompt(const models::ChatTemplate* chat, const ServeRequest& r, const std::string& model_name,
                        bool tokenizer_adds_bos);

}  // namespace lmc::tools

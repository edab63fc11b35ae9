// A chat request's messages as the text the model reads: rendered by the model's chat
// template (its own Jinja template, --chat-template-file's, or the family it falls back
// to; models/chat/chat_template.h) with the generation prompt after them. What the
// template refuses (a raise_exception, roles out of turn) is an ApiError 400.
#pragma once
#include <string>
#include <vector>

#include "models/chat/chat_template.h"
#include "tools/serve/serve_request.h"

namespace lmc::tools {

// `chat` null: the model has no chat format (400 naming `model_name`).
std::string rendered_chat(const models::ChatTemplate* chat, const std::vector<ChatMessage>& messages,
                          const std::string& model_name);
// The rendered chat as the tokenizer reads it (a BOS the template wrote is not read twice).
std::string chat_prompt(const models::ChatTemplate* chat, const std::vector<ChatMessage>& messages,
                        const std::string& model_name, bool tokenizer_adds_bos);

}  // namespace lmc::tools

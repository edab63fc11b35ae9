#include "tools/serve/chat_prompt.h"

#include "support/error.h"

namespace lmc::tools {

std::string rendered_chat(const models::ChatTemplate* chat, const std::vector<ChatMessage>& messages,
                          const std::string& model_name) {
  if (!chat)
    throw ApiError(400, "invalid_request_error", "the model " + model_name + " has no chat format; use /v1/completions",
                   "messages");
  nlohmann::ordered_json list = nlohmann::ordered_json::array();
  for (const ChatMessage& m : messages) list.push_back({{"role", m.role}, {"content", m.content}});
  try {
    return chat->render(list, true);
  } catch (const Error& e) {
    throw ApiError(400, "invalid_request_error", e.what(), "messages");
  }
}

std::string chat_prompt(const models::ChatTemplate* chat, const std::vector<ChatMessage>& messages,
                        const std::string& model_name, bool tokenizer_adds_bos) {
  std::string text = rendered_chat(chat, messages, model_name);
  return chat->for_encoding(std::move(text), tokenizer_adds_bos);
}

}  // namespace lmc::tools

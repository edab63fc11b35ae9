#include "models/chat/chat_conversation.h"

#include "models/chat/chat_format.h"
#include "support/error.h"

namespace lmc::models {

Conversation::Conversation(ir::ChatFormat format, std::optional<std::string> system)
    : format_(std::move(format)), system_(system.value_or(format_.default_system)) {
  if (format_.turns.empty())
    throw Error(
        "chat: the model has no chat format (its weights carry no known chat template "
        "and its model definition no 'chat:')");
  if (!system_.empty() && !format_.turns.count("system") && format_.system_merge.empty())
    throw Error("chat: the model's chat format takes no system message");
}

std::string Conversation::ask(const std::string& user) {
  std::string text;
  if (started_)
    text = answer_suffix(format_) + render_turn(format_, "user", user);
  else if (system_.empty())
    text = render_turn(format_, "user", user);
  else if (format_.turns.count("system"))
    text = render_turn(format_, "system", system_) + render_turn(format_, "user", user);
  else
    text = merged_user_turn(format_, system_, user);
  started_ = true;
  return text + answer_prefix(format_);
}

}  // namespace lmc::models

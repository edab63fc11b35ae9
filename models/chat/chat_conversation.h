// A conversation as the model sees it, one turn at a time: each user message becomes the
// text that, appended to what the model has already read, closes the previous answer,
// adds the message and opens the next answer. Feeding only that text keeps the KV cache
// of the turns before; the texts of all turns together equal the whole conversation
// rendered at once.
#pragma once
#include <optional>
#include <string>

#include "ir/chat_format.h"

namespace lmc::models {

class Conversation {
 public:
  // `system`: the system message; nullopt takes the format's default, "" means none.
  // Throws lmc::Error when the format is empty (the model has no chat format).
  Conversation(ir::ChatFormat format, std::optional<std::string> system);

  // The text to feed for the next user message (after the model's previous answer).
  std::string ask(const std::string& user);
  const ir::ChatFormat& format() const { return format_; }
  const std::string& system_prompt() const { return system_; }  // "" when none

 private:
  ir::ChatFormat format_;
  std::string system_;
  bool started_ = false;
};

}  // namespace lmc::models

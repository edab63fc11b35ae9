#include "ir/chat_format.h"

#include "support/error.h"

namespace lmc::ir {

void check_chat_format(const ChatFormat& f, const std::string& where) {
  if (f.turns.empty() && !f.jinja.empty()) return;
  for (const char* role : {"user", "assistant"})
    if (!f.turns.count(role)) throw error_at(where, std::string("the chat format has no '") + role + "' turn");
  for (const auto& [role, turn] : f.turns) {
    size_t at = turn.find("{content}");
    if (at == std::string::npos || turn.find("{content}", at + 1) != std::string::npos)
      throw error_at(where, "the chat turn of '" + role + "' must contain '{content}' once");
  }
  if (!f.system_merge.empty() &&
      (f.system_merge.find("{system}") == std::string::npos || f.system_merge.find("{content}") == std::string::npos))
    throw error_at(where, "chat.system_merge must contain '{system}' and '{content}'");
  if (f.turns.count("system") && !f.system_merge.empty())
    throw error_at(where, "a chat format has either a system turn or chat.system_merge, not both");
}

}  // namespace lmc::ir

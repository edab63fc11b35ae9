// How a conversation becomes the text a chat model was trained on. Plain data, so it
// travels from the model definition or the weights' own chat template, through the
// artifact, to `lmc chat`; models/chat/chat_template.h renders it: the weights' Jinja
// template when they carry one, else a known family's turns (models/chat/chat_format.h).
#pragma once
#include <map>
#include <string>

namespace lmc::ir {

struct ChatFormat {
  std::string family;  // "chatml", "llama3", ...; "custom" when a model definition spells it out
  // Role ("system", "user", "assistant") -> the text of one turn, "{content}" standing for
  // the message. The assistant's text up to "{content}" opens the model's answer.
  std::map<std::string, std::string> turns;
  // For formats without a system turn: the first user message becomes this text, with
  // "{system}" and "{content}" replaced.
  std::string system_merge;
  std::string default_system;  // the system message when a conversation brings none
  bool trim = false;           // messages lose leading and trailing whitespace
  // The Jinja chat template the weights carry (a GGUF's tokenizer.chat_template, an HF
  // folder's chat_template.jinja or tokenizer_config.json's chat_template); "" when none.
  // When set it is what renders a conversation; the turns above are the fallback.
  std::string jinja;

  bool empty() const { return turns.empty() && jinja.empty(); }
  bool operator==(const ChatFormat&) const = default;
};

// A format from a model definition or an artifact: user and assistant turns, each turn with
// one "{content}", a system turn or a system_merge with "{system}" and "{content}" (not
// both); throws lmc::Error at `where` otherwise. A format of a Jinja template alone has no
// turns to check.
void check_chat_format(const ChatFormat& f, const std::string& where);

}  // namespace lmc::ir

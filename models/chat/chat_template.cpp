#include "models/chat/chat_template.h"

#include "models/chat/chat_conversation.h"
#include "models/chat/chat_format.h"
#include "support/error.h"

namespace lmc::models {
namespace {

using ojson = nlohmann::ordered_json;

std::string field_text(const ojson& message, const char* key, size_t index) {
  const auto it = message.is_object() ? message.find(key) : message.end();
  if (it == message.end() || !it->is_string())
    throw Error("chat: message " + std::to_string(index) + " has no string '" + key + "'");
  return it->get<std::string>();
}

}  // namespace

ChatTemplate::ChatTemplate(ir::ChatFormat format, const std::string& name, SpecialTokenText tokens)
    : format_(std::move(format)), name_(name), tokens_(std::move(tokens)) {
  if (!format_.jinja.empty())
    jinja_.emplace(format_.jinja, name);
  else if (format_.turns.empty())
    throw Error(name +
                ": error: the model has no chat format (its weights carry no chat template and its model "
                "definition no 'chat:'); give one with --chat-template-file");
}

std::string ChatTemplate::render(const ojson& messages, bool add_generation_prompt, const ojson& tools,
                                 const ojson& variables) const {
  const bool with_tools = tools.is_array() && !tools.empty();
  if (!jinja_) {
    if (with_tools) throw Error("chat: " + description() + " has no tools; give a template that renders them");
    return render_family(messages, add_generation_prompt);
  }
  ojson context = variables.is_object() ? variables : ojson::object();
  context["messages"] = messages;
  context["add_generation_prompt"] = add_generation_prompt;
  context["bos_token"] = tokens_.bos;
  context["eos_token"] = tokens_.eos;
  if (with_tools) context["tools"] = tools;
  return jinja_->render(context);
}

std::string ChatTemplate::render_family(const ojson& messages, bool add_generation_prompt) const {
  size_t at = 0;
  std::optional<std::string> system;
  for (; at < messages.size() && field_text(messages[at], "role", at) == "system"; ++at) {
    std::string content = field_text(messages[at], "content", at);
    system = system ? *system + "\n\n" + content : content;
  }
  Conversation conversation(format_, system);
  std::string text;
  bool answer_open = false;
  for (size_t i = at; i < messages.size(); ++i) {
    const std::string role = field_text(messages[i], "role", i);
    if (role != ((i - at) % 2 == 0 ? "user" : "assistant"))
      throw Error(
          "chat: after the system messages, messages must alternate user and assistant, starting with "
          "user (message " +
          std::to_string(i) + " is '" + role + "')");
    const std::string content = field_text(messages[i], "content", i);
    text += role == "user" ? conversation.ask(content) : content;
    answer_open = role == "user";
  }
  // ask() opens the answer after every user message; without a generation prompt the
  // conversation ends where the user's turn does.
  if (answer_open && !add_generation_prompt) text.resize(text.size() - answer_prefix(format_).size());
  return text;
}

std::string ChatTemplate::for_encoding(std::string rendered, bool tokenizer_adds_bos) const {
  if (tokenizer_adds_bos && !tokens_.bos.empty() && rendered.starts_with(tokens_.bos))
    rendered.erase(0, tokens_.bos.size());
  return rendered;
}

ojson ChatTemplate::opening(const std::optional<std::string>& system) const {
  ojson messages = ojson::array();
  if (system) messages.push_back({{"role", "system"}, {"content", *system}});
  return messages;
}

std::string ChatTemplate::single_turn(const std::optional<std::string>& system, const std::string& user,
                                      bool tokenizer_adds_bos) const {
  ojson messages = opening(system);
  messages.push_back({{"role", "user"}, {"content", user}});
  return for_encoding(render(messages, true), tokenizer_adds_bos);
}

std::string ChatTemplate::description() const {
  return jinja_ ? "the chat template " + name_ : "the " + format_.family + " format";
}

}  // namespace lmc::models

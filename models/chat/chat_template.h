// What renders a model's conversation as the text it reads: the Jinja chat template the
// weights carry (or one the user gives), as Hugging Face's apply_chat_template renders it
// (messages, add_generation_prompt, bos_token, eos_token), else the turns of the known
// family the model's format falls back to (models/chat/chat_format.h).
#pragma once
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "ir/chat_format.h"
#include "jinja/template.h"

namespace lmc::models {

// The text of the tokenizer's BOS and EOS tokens, as templates write them ("" when none).
struct SpecialTokenText {
  std::string bos, eos;
};

class ChatTemplate {
 public:
  // `format.jinja` non-empty: that template, parsed now, its errors naming `name` and the
  // line (lmc::Error); else the format's family turns. Throws lmc::Error when the format
  // has neither.
  ChatTemplate(ir::ChatFormat format, const std::string& name, SpecialTokenText tokens);

  // `messages`: a JSON array of {"role", "content"} (an assistant's may hold "tool_calls",
  // a tool's "tool_call_id"). The family fallback takes leading system messages (joined by
  // a blank line) and then user and assistant in turn, starting with the user; a template
  // may refuse a conversation (raise_exception). `tools`: a non-empty array is the template's
  // `tools` ([{"type": "function", "function": {...}}], as apply_chat_template passes them);
  // the family fallback has no tools. `variables`: an object whose keys are more variables
  // of the template (a request's chat_template_kwargs, such as Qwen3's enable_thinking); the
  // ones above are not replaced, and a family's turns read none. Errors are lmc::Error.
  std::string render(const nlohmann::ordered_json& messages, bool add_generation_prompt,
                     const nlohmann::ordered_json& tools = nullptr,
                     const nlohmann::ordered_json& variables = nlohmann::ordered_json::object()) const;

  // The rendered text as the tokenizer should read it: when the tokenizer adds BOS itself,
  // a BOS the template wrote in front is dropped so it is not read twice.
  std::string for_encoding(std::string rendered, bool tokenizer_adds_bos) const;

  // The messages a conversation starts with: the system message given; none for nullopt
  // (the template's or the family's default applies). An empty one stops the default: the
  // family then has no system turn, a template renders the empty message as it does.
  nlohmann::ordered_json opening(const std::optional<std::string>& system) const;

  // The text to encode for one user message answered once (lmc run --chat).
  std::string single_turn(const std::optional<std::string>& system, const std::string& user,
                          bool tokenizer_adds_bos) const;

  bool own_template() const { return jinja_.has_value(); }
  // The parsed Jinja template; null for a family.
  const jinja::Template* jinja_template() const { return jinja_ ? &*jinja_ : nullptr; }
  const std::string& source() const { return format_.jinja; }  // the Jinja text; "" for a family
  // For messages: "the chat template <name>" or "the <family> format".
  std::string description() const;
  // The system message a conversation without one gets, as far as lmc knows it ("" when none).
  const std::string& default_system() const { return format_.default_system; }

 private:
  std::string render_family(const nlohmann::ordered_json& messages, bool add_generation_prompt) const;

  ir::ChatFormat format_;
  std::string name_;
  std::optional<jinja::Template> jinja_;
  SpecialTokenText tokens_;
};

}  // namespace lmc::models

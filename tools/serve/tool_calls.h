// OpenAI's tool calls in a chat request to `lmc serve`: the `tools` a model may call, the
// `tool_choice` that says whether it must, and the answer's `tool_calls`. Calls are
// written in the Hermes form (Qwen's and the form lmc teaches a template without tools):
// "<tool_call>\n{\"name\": ..., \"arguments\": {...}}\n</tool_call>". When a call is
// required, lmc writes the opening tag itself and decodes the JSON under a schema that
// holds the tool's name and its parameters (structured/), so the arguments always parse
// and validate; with `auto`, an answer that begins with the opening tag is completed under
// the same schema. Bad shapes are an ApiError (HTTP 400) naming the field.
#pragma once
#include <memory>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "structured/json_grammar.h"

namespace lmc::tools {

// What opens a call in the Hermes form; a forced call's prompt ends with it.
inline constexpr const char* kToolCallOpen = "<tool_call>\n";
inline constexpr const char* kToolCallClose = "\n</tool_call>";

struct ToolOptions {
  // [{"type": "function", "function": {"name", "description"?, "parameters"?, "strict"?}}],
  // as Hugging Face's apply_chat_template hands them to a template.
  nlohmann::ordered_json tools = nlohmann::ordered_json::array();
  std::string choice = "auto";  // auto, none, required, or function (then `name`)
  std::string name;             // the function tool_choice names
  bool parallel = true;         // parallel_tool_calls (one call is answered either way)

  bool any() const { return !tools.empty(); }
  // The answer must be a call: required, or a named function.
  bool forced() const { return any() && (choice == "required" || choice == "function"); }
};

// `body`: the request, its keys in order (a schema's properties are answered in order).
ToolOptions parse_tools(const nlohmann::ordered_json& body);

// What a forced answer's JSON must be: {"name": <a tool's name>, "arguments": <its
// parameters>}, one alternative a tool (only the named one when named).
std::shared_ptr<const structured::Grammar> tool_call_grammar(const ToolOptions& tools);

// An assistant message's `tool_calls` as a template reads them: the arguments, a JSON
// string in OpenAI's API, become the object Hugging Face's templates expect. `at`: the
// message's place, for errors.
nlohmann::ordered_json template_tool_calls(const nlohmann::ordered_json& calls, const std::string& at);

// The answer's tool_calls ([{"id", "type": "function", "function": {"name", "arguments":
// JSON text}}]): `forced`, `text` is the JSON of the call ("{\"name\": ..., \"arguments\":
// ...}"); else free text, which may hold a "<tool_call>" block (closed, or running to the
// end) naming one of the tools. nullopt when there is no call. `id`: the call's id.
std::optional<nlohmann::json> answer_tool_calls(const ToolOptions& tools, const std::string& text,
                                                bool forced, const std::string& id);

// A chat answer's message: {"role": "assistant", "content": null, "tool_calls": [...]} with
// `finish_reason` made "tool_calls" when `text` holds a call the request allows; else the
// text as its content. A forced call's text is its JSON; with `auto` the call is the JSON
// after the text's first <tool_call> (to its closing tag, or the end); with `none` (or no
// tools) nothing is parsed.
nlohmann::json answer_message(const ToolOptions& tools, const std::string& text, const std::string& call_id,
                              std::string& finish_reason);

}  // namespace lmc::tools

// How a chat template's family writes a tool call, as data: the text that opens a call
// and the text that closes it, the key of its arguments, and whether the calls are one JSON
// array. lmc serve reads answers, streams deltas and constrains forced calls in the form
// of the template in use (tool_calls.h, tool_call_stream.h), so a form is all these need:
//   Hermes (Qwen's, and the form lmc teaches a template without tools):
//     <tool_call>\n{"name": ..., "arguments": {...}}\n</tool_call>, one block a call;
//   Llama 3.1/3.2's JSON: {"name": ..., "parameters": {...}}, the answer itself, maybe
//     after <|python_tag|>; several calls joined by ';' (Llama 3.2 writes `{...}; {...}`,
//     which vLLM's and SGLang's readers take as separate calls);
//   Mistral's: [TOOL_CALLS][{"name": ..., "arguments": {...}}, ...], several in one array.
// The data, and the one place that picks it from what the Jinja engine tells of the
// template (jinja/static_facts.h).
#pragma once
#include <string>
#include <string_view>

namespace lmc::jinja {
class Template;
}

namespace lmc::tools {

struct ToolCallFormat {
  std::string_view family;     // for messages and tests
  std::string_view open;       // written before a call's JSON; a forced call's prompt ends with it
  std::string_view close;      // written after it ("" when the JSON's end is the call's)
  // What joins one call's closing to the next's opening where an answer holds several, as a
  // constrained answer writes it; read with any spacing around its other bytes.
  std::string_view between;
  std::string_view skipped;    // may come before `open` and is not part of the call (Llama's tag)
  std::string_view arguments;  // the key of a call's arguments
  bool list = false;           // the calls are one JSON array after `open` (else an object each)
  bool several = false;        // an answer may hold more than one call
  // The opening is one control token of the model's vocabulary (Mistral's [TOOL_CALLS] in
  // its v3 tokenizers): a prompt writes it, but a generated one writes no text, so the
  // answer's calls begin with their JSON. Set for the model, not the family.
  bool silent_open = false;

  // The opening as an answer's text shows it.
  std::string_view answer_open() const { return silent_open ? std::string_view() : open; }
  // With tool_choice auto, when the answer shows no opening, the first bytes of the JSON
  // that mark a call (an answer that merely starts with '{' or '[' is not taken for one).
  std::string json_lead() const {
    if (!answer_open().empty()) return "";
    return list ? "[{\"name\":" : "{\"name\":";
  }
  // What a call under tool_choice auto begins with: once written, the rest is the JSON.
  std::string trigger() const { return std::string(answer_open()) + json_lead(); }
};

inline constexpr ToolCallFormat kHermesCalls{
    "Hermes", "<tool_call>\n", "\n</tool_call>", "\n", "", "arguments", false, true, false};
inline constexpr ToolCallFormat kLlama3Calls{"Llama 3 JSON", "",    "",   "; ", "<|python_tag|>",
                                             "parameters",   false, true, false};
inline constexpr ToolCallFormat kMistralCalls{"Mistral", "[TOOL_CALLS]", "", "", "", "arguments", true, true, false};

// Whether a chat template renders the request's tools: it reads the variable `tools` (a
// comment or `tools_in_user_message` does not count). A family fallback (null) has none.
bool renders_tools(const jinja::Template* chat_template);

// The form of calls a chat template asks for, told by the text only that family's templates
// hold (in their raw text or a string literal): Mistral's [TOOL_CALLS] token; Llama's
// <|python_tag|> or its "parameters" key (in the instruction "Respond in the format {"name":
// ..., "parameters": ...}"). Hermes otherwise, and always for a template that does not
// render tools: lmc teaches it that form (chat_prompt.h). A family fallback (null) reads
// calls in that form too.
const ToolCallFormat& tool_call_format_for(const jinja::Template* chat_template);

}  // namespace lmc::tools

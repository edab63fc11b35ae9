// OpenAI's tool calls in a chat request to `lmc serve`: the `tools` a model may call, the
// `tool_choice` that says whether it must, and the answer's `tool_calls`. Calls are
// written in the form of the chat template's family (tool_call_format.h: Hermes, Llama 3's
// JSON or Mistral's [TOOL_CALLS]). When a call is required, lmc writes the form's opening
// itself and decodes the JSON under a schema that holds the tool's name and its parameters
// (structured/), so the arguments always parse and validate; with `auto`, an answer that
// begins with the form's trigger is completed under the same schema. Bad shapes are an
// ApiError (HTTP 400) naming the field.
//
// A tool's parameters are never refused for a keyword the grammar cannot hold (uniqueItems,
// a pattern outside the regular subset, ...): it is left out of the grammar (left_out), and
// under `auto`, where nothing forces a call, a call to that tool is one only if its arguments
// pass the tool's whole schema (structured/schema_validator.h); a forced call is decoded
// without it, which the server log notes, except a pattern outside the subset: forcing a
// call to its tool is a 400 naming the construct.
#pragma once
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "structured/json_grammar.h"
#include "structured/json_trigger.h"
#include "structured/schema_validator.h"
#include "tools/serve/tool_calls/tool_call_format.h"

namespace lmc::tools {

struct ToolOptions {
  // [{"type": "function", "function": {"name", "description"?, "parameters"?, "strict"?}}],
  // as Hugging Face's apply_chat_template hands them to a template.
  nlohmann::ordered_json tools = nlohmann::ordered_json::array();
  std::string choice = "auto";  // auto, none, required, or function (then `name`)
  std::string name;             // the function tool_choice names
  bool parallel = true;         // parallel_tool_calls: several calls, where the form has room
  ToolCallFormat format = kHermesCalls;  // the chat template's
  // Under auto, the check of a call's whole arguments, by the name of each tool whose
  // schema the grammar holds only in part.
  std::map<std::string, std::shared_ptr<const structured::SchemaValidator>, std::less<>> checks;
  // The keywords the call grammar leaves out: each tool's name, and "tools[i].function.parameters"
  // with the keyword's pointer in them.
  std::vector<std::pair<std::string, std::string>> left_out;

  bool any() const { return !tools.empty(); }
  // Whether `name` is one of the tools' (a call to any other is no call).
  bool offers(const std::string& name) const;
  // The answer must be a call: required, or a named function.
  bool forced() const { return any() && (choice == "required" || choice == "function"); }
  // An answer may hold more than one call.
  bool several() const { return parallel && format.several; }
  // A call is checked against its tool's schema once whole (auto, with keywords left out):
  // a stream holds its deltas back until then.
  bool checks_calls() const { return any() && choice == "auto" && !left_out.empty(); }
  // Whether the arguments of a call to `name` pass the tool's schema (under auto; a forced
  // call is taken as decoded).
  bool arguments_pass(std::string_view name, const nlohmann::json& arguments) const;
};

// The lines the server log gets for the keywords a request's call grammar leaves out.
std::vector<std::string> left_out_notes(const ToolOptions& tools);

// `body`: the request, its keys in order (a schema's properties are answered in order);
// `format`: the form calls are written in.
ToolOptions parse_tools(const nlohmann::ordered_json& body, const ToolCallFormat& format = kHermesCalls);

// What a forced answer's JSON must be: {"name": <a tool's name>, <the form's arguments
// key>: <its parameters>}, one alternative a tool (only the named one when named); in a
// list form, an array of them (one only, unless several() allows more).
std::shared_ptr<const structured::Grammar> tool_call_grammar(const ToolOptions& tools);

// An assistant message's `tool_calls` as a template reads them: the arguments, a JSON
// string in OpenAI's API, become the object Hugging Face's templates expect. `at`: the
// message's place, for errors.
nlohmann::ordered_json template_tool_calls(const nlohmann::ordered_json& calls, const std::string& at);

// Where the calls' JSON sits in the answer, for the constraint that decodes them under
// tool_call_grammar: from its first byte when forced (the prompt wrote the opening), after
// the form's trigger with `auto` (or after its tag, Llama's <|python_tag|> written as text);
// in a form of objects (Hermes' blocks, Llama's) that allows several calls, each call may be
// followed by the end, the closing, or the closing, the joint and another call.
structured::JsonTrigger tool_call_trigger(const ToolOptions& tools);

// The id of an answer's call at `index`: the answer's own for the first, then numbered.
std::string call_id_at(const std::string& id, size_t index);

// The answer's tool_calls ([{"id", "type": "function", "function": {"name", "arguments":
// JSON text}}], the arguments the bytes the model wrote, as a stream of the answer sends
// them): `forced`, `text` follows the form's opening, which the prompt ended with;
// else free text, which may hold calls in the form from its first opening (a Hermes block,
// closed or running to the end; Mistral's [TOOL_CALLS] array; Llama's whole answer, its
// calls' JSON joined by ';'), read in the order a stream reads them (tool_call_sequence.h).
// Every call must name one of the tools (and under auto pass its tool's check, when it has
// one), else there is none; past the first only when
// several() allows (what follows it is then not read). nullopt when there is no call. `id`:
// the first call's id (call_id_at).
std::optional<nlohmann::json> answer_tool_calls(const ToolOptions& tools, const std::string& text, bool forced,
                                                const std::string& id);

}  // namespace lmc::tools

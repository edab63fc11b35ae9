// A streamed chat answer that may be a tool call (tool_choice auto, required or a named
// function), turned into the deltas OpenAI streams as the text comes: a call's first delta
// carries its index, id, type, name and "" for arguments, the next ones pieces of its
// arguments; an answer that is not a call streams as content. A call's text is the Hermes
// form's JSON, {"name": ..., "arguments": {...}} (after "<tool_call>\n" with `auto`), whose
// keys come in that order because it is decoded under the call's schema (tool_calls.h).
#pragma once
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "tools/serve/tool_calls.h"

namespace lmc::tools {

class ToolCallStream {
 public:
  ToolCallStream(ToolOptions tools, std::string call_id);
  // The deltas a piece of the answer gives now (none while it is still undecided).
  std::vector<nlohmann::json> piece(const std::string& text);
  // The deltas left when the answer ends; `finish_reason` becomes "tool_calls" for a call.
  std::vector<nlohmann::json> end(std::string& finish_reason);

 private:
  enum class Mode { Deciding, Text, Head, Arguments };
  std::vector<nlohmann::json> decide();
  std::vector<nlohmann::json> head();
  std::vector<nlohmann::json> arguments(bool last);

  ToolOptions tools_;
  std::string call_id_;
  std::string prefix_;  // what a call's JSON follows: "" when forced, "<tool_call>\n" with auto
  Mode mode_ = Mode::Deciding;
  std::string text_;    // the whole answer so far
  size_t sent_ = 0;     // bytes of text_ already in a delta (arguments: from the start of them)
};

}  // namespace lmc::tools

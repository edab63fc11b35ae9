// A streamed chat answer that may be tool calls (tool_choice auto, required or a named
// function), turned into the deltas OpenAI streams as the text comes: a call's first delta
// carries its index, id, type, name and "" for arguments, the next ones pieces of its
// arguments; an answer that is not a call streams as content. A call's text is its form's
// JSON (tool_call_format.h), {"name": ..., <arguments key>: {...}} (after the form's
// trigger with `auto`), whose keys come in that order because it is decoded under the
// call's schema (tool_calls.h). Where the form and parallel_tool_calls allow several calls
// (Mistral's array; Hermes blocks one after another; Llama's joined by ';'), each streams in
// turn at its index, in the order a whole answer is read in (tool_call_sequence.h).
//
// Where a call is checked against its tool's schema once whole (ToolOptions::checks_calls:
// auto, with keywords the grammar leaves out), its deltas are held back until the answer
// ends: then they come as they would have, or, when a call failed its check, the answer as
// text, as a whole answer reads it.
#pragma once
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "tools/serve/tool_calls/tool_call_sequence.h"
#include "tools/serve/tool_calls/tool_calls.h"

namespace lmc::tools {

class ToolCallStream {
 public:
  ToolCallStream(ToolOptions tools, std::string call_id);
  // The deltas a piece of the answer gives now (none while it is still undecided).
  std::vector<nlohmann::json> piece(const std::string& text);
  // The deltas left when the answer ends; `finish_reason` becomes "tool_calls" for a call.
  std::vector<nlohmann::json> end(std::string& finish_reason);

 private:
  enum class Mode { Deciding, Text, Calls, Done };
  std::vector<nlohmann::json> decide();
  std::vector<nlohmann::json> calls();
  bool next_call(std::vector<nlohmann::json>& out);
  CallStep step_after_last() const;
  bool head(std::vector<nlohmann::json>& out);
  // The text so far is not a call after all: as content if no call was sent, else ignored.
  void not_a_call(std::vector<nlohmann::json>& out);
  // Whether the arguments that end at `end` pass their tool's check.
  bool arguments_pass(size_t end) const;
  // The deltas of calls kept back (checks_calls), the others passed on.
  std::vector<nlohmann::json> held_back(std::vector<nlohmann::json> out);

  ToolOptions tools_;
  std::string call_id_;
  std::string prefix_;  // what the calls' JSON follows: "" when forced, the form's opening with auto
  Mode mode_ = Mode::Deciding;
  std::string text_;    // the whole answer so far
  size_t sent_ = 0;     // bytes of text_ already in a delta (while a call streams: of its arguments)
  size_t index_ = 0;    // the calls whose head was sent
  bool seeking_ = true; // no call is streaming: the next one is still to be found
  size_t call_ = 0;     // where the streaming call's object begins
  size_t args_ = std::string::npos;  // where its arguments begin, once its head was sent
  std::string name_;                 // its tool's name
  std::vector<nlohmann::json> held_;  // the calls' deltas, while they wait for their check
  bool failed_ = false;              // a call failed its check: the answer is text
};

}  // namespace lmc::tools

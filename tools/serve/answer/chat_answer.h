// A chat completion's answer as its client reads it, whole or streamed: its reasoning parted
// from the rest (reasoning_split.h) as `reasoning_content`, the rest its tool calls or its
// content (answer_message.h, tool_call_stream.h). Both deliveries part the same text the
// same way, so a stream's deltas join to the whole answer's message.
#pragma once
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "tools/serve/answer/reasoning_split.h"
#include "tools/serve/tool_calls/tool_call_stream.h"
#include "tools/serve/tool_calls/tool_calls.h"

namespace lmc::tools {

// How an answer's reasoning is read: the format, and whether the prompt opened <think>.
struct ReasoningRead {
  ReasoningFormat format = ReasoningFormat::None;
  bool opened = false;
};

// The whole answer's message: answer_message's of the content, with "reasoning_content"
// when the answer reasoned.
nlohmann::json chat_message(const ToolOptions& tools, const ReasoningRead& reasoning, const std::string& text,
                            const std::string& call_id, std::string& finish_reason, bool cut);

// A streamed answer's deltas: {"reasoning_content": ...}, then {"content": ...} or the
// calls' deltas (tool_call_stream.h); a delta only when there is something to say.
class ChatDeltas {
 public:
  ChatDeltas(const ToolOptions& tools, const std::string& call_id, const ReasoningRead& reasoning);
  std::vector<nlohmann::json> piece(const std::string& text);
  // What is left when the answer ends; `finish_reason` becomes "tool_calls" for a call.
  std::vector<nlohmann::json> end(std::string& finish_reason);

 private:
  std::vector<nlohmann::json> content(const std::string& text);

  ReasoningSplit split_;
  std::optional<ToolCallStream> calls_;
};

}  // namespace lmc::tools

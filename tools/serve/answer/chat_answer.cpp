#include "tools/serve/answer/chat_answer.h"

#include "tools/serve/tool_calls/answer_message.h"

namespace lmc::tools {

namespace {

using nlohmann::json;

bool calls_possible(const ToolOptions& tools) { return tools.any() && tools.choice != "none"; }

}  // namespace

json chat_message(const ToolOptions& tools, const ReasoningRead& reasoning, const std::string& text,
                  const std::string& call_id, std::string& finish_reason, bool cut) {
  const ReasoningSplit::Parts parts = split_reasoning(reasoning.format, reasoning.opened, text);
  json message = answer_message(tools, parts.content, call_id, finish_reason, cut);
  if (!parts.reasoning.empty()) message["reasoning_content"] = parts.reasoning;
  return message;
}

ChatDeltas::ChatDeltas(const ToolOptions& tools, const std::string& call_id, const ReasoningRead& reasoning)
    : split_(reasoning.format, reasoning.opened) {
  if (calls_possible(tools)) calls_.emplace(tools, call_id);
}

std::vector<json> ChatDeltas::content(const std::string& text) {
  if (text.empty()) return {};
  if (calls_) return calls_->piece(text);
  return {json{{"content", text}}};
}

std::vector<json> ChatDeltas::piece(const std::string& text) {
  ReasoningSplit::Parts parts = split_.piece(text);
  std::vector<json> out;
  if (!parts.reasoning.empty()) out.push_back({{"reasoning_content", parts.reasoning}});
  for (json& d : content(parts.content)) out.push_back(std::move(d));
  return out;
}

std::vector<json> ChatDeltas::end(std::string& finish_reason) {
  const ReasoningSplit::Parts rest = split_.end();
  std::vector<json> out;
  if (!rest.reasoning.empty()) out.push_back({{"reasoning_content", rest.reasoning}});
  for (json& d : content(rest.content)) out.push_back(std::move(d));
  if (calls_)
    for (json& d : calls_->end(finish_reason)) out.push_back(std::move(d));
  return out;
}

}  // namespace lmc::tools

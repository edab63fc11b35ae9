#include "tools/serve/tool_calls/answer_message.h"

#include "tools/serve/tool_calls/tool_call_stream.h"

namespace lmc::tools {

namespace {

using nlohmann::json;

json text_message(const std::string& text) { return {{"role", "assistant"}, {"content", text}}; }

// What the deltas of a stream of `text` add up to, as a client adds them: the content, or
// each call's id and name and its arguments' pieces, by the call's index.
json streamed_message(const ToolOptions& tools, const std::string& text, const std::string& call_id,
                      std::string& finish_reason) {
  ToolCallStream stream(tools, call_id);
  std::vector<json> deltas = stream.piece(text);
  for (json& d : stream.end(finish_reason)) deltas.push_back(std::move(d));
  std::string content;
  json calls = json::array();
  for (const json& d : deltas) {
    if (d.contains("content")) content += d["content"].get<std::string>();
    if (!d.contains("tool_calls")) continue;
    const json& piece = d["tool_calls"][0];
    const size_t i = piece["index"].get<size_t>();
    if (i == calls.size())  // a call's first delta: its head
      calls.push_back({{"id", piece["id"]},
                       {"type", "function"},
                       {"function", {{"name", piece["function"]["name"]}, {"arguments", ""}}}});
    json& arguments = calls[i]["function"]["arguments"];
    arguments = arguments.get<std::string>() + piece["function"]["arguments"].get<std::string>();
  }
  if (calls.empty()) return text_message(content);
  return {{"role", "assistant"}, {"content", nullptr}, {"tool_calls", calls}};
}

}  // namespace

json answer_message(const ToolOptions& o, const std::string& text, const std::string& call_id,
                    std::string& finish_reason, bool cut) {
  if (!o.any() || o.choice == "none") return text_message(text);
  if (std::optional<json> calls = answer_tool_calls(o, text, o.forced(), call_id)) {
    finish_reason = "tool_calls";
    return {{"role", "assistant"}, {"content", nullptr}, {"tool_calls", *calls}};
  }
  if (cut) return streamed_message(o, text, call_id, finish_reason);
  return text_message(text);
}

}  // namespace lmc::tools

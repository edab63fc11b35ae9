#include "tools/serve/tool_call_stream.h"

namespace lmc::tools {

namespace {

using nlohmann::json;

json content(const std::string& text) { return {{"content", text}}; }

}  // namespace

ToolCallStream::ToolCallStream(ToolOptions tools, std::string call_id)
    : tools_(std::move(tools)), call_id_(std::move(call_id)), prefix_(tools_.forced() ? "" : kToolCallOpen) {}

std::vector<json> ToolCallStream::piece(const std::string& text) {
  text_ += text;
  switch (mode_) {
    case Mode::Deciding: return decide();
    case Mode::Text: sent_ = text_.size(); return {content(text)};
    case Mode::Head: return head();
    case Mode::Arguments: return arguments(false);
  }
  return {};
}

// A call begins with its prefix: an answer that leaves it is text.
std::vector<json> ToolCallStream::decide() {
  if (text_.size() < prefix_.size() && prefix_.starts_with(text_)) return {};
  if (!text_.starts_with(prefix_)) {
    mode_ = Mode::Text;
    sent_ = text_.size();
    return {content(text_)};
  }
  mode_ = Mode::Head;
  return head();
}

// The name is known once the arguments' key has come and their first byte after it.
std::vector<json> ToolCallStream::head() {
  const std::string key = "\"arguments\":";
  const size_t at = text_.find(key, prefix_.size());
  const size_t start = at == std::string::npos ? at : text_.find_first_not_of(' ', at + key.size());
  if (start == std::string::npos) return {};
  std::string before = text_.substr(prefix_.size(), at - prefix_.size());
  before.erase(before.find_last_not_of(", ") + 1);
  const json named = json::parse(before + "}", nullptr, false);
  if (named.is_discarded() || !named.contains("name") || !named["name"].is_string()) {
    mode_ = Mode::Text;  // not a call's JSON after all: what is left streams as written
    sent_ = text_.size();
    return {content(text_)};
  }
  mode_ = Mode::Arguments;
  sent_ = start;
  std::vector<json> out = {{{"tool_calls", {{{"index", 0}, {"id", call_id_}, {"type", "function"},
                                              {"function", {{"name", named["name"]}, {"arguments", ""}}}}}}}};
  for (json& d : arguments(false)) out.push_back(std::move(d));
  return out;
}

// The last byte is held back: the call's JSON ends with the '}' that closes it, not the arguments.
std::vector<json> ToolCallStream::arguments(bool last) {
  size_t end = text_.size() - (text_.empty() ? 0 : 1);
  if (last) end = text_.find_last_not_of(" \n") == std::string::npos ? sent_ : text_.find_last_not_of(" \n");
  if (end <= sent_) return {};
  json d = {{"tool_calls", {{{"index", 0}, {"function", {{"arguments", text_.substr(sent_, end - sent_)}}}}}}};
  sent_ = end;
  return {d};
}

std::vector<json> ToolCallStream::end(std::string& finish_reason) {
  if (mode_ == Mode::Deciding || mode_ == Mode::Head) {
    mode_ = Mode::Text;
    return sent_ < text_.size() ? std::vector<json>{content(text_.substr(sent_))} : std::vector<json>{};
  }
  if (mode_ == Mode::Text) return {};
  std::vector<json> out = arguments(true);
  if (answer_tool_calls(tools_, text_.substr(prefix_.size()), true, call_id_)) finish_reason = "tool_calls";
  return out;
}

}  // namespace lmc::tools

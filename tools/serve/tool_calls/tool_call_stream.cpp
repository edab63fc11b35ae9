#include "tools/serve/tool_calls/tool_call_stream.h"

#include "tools/serve/tool_calls/json_extent.h"

namespace lmc::tools {

namespace {

using nlohmann::json;
constexpr size_t npos = std::string::npos;
constexpr const char* kSpace = " \n\t\r";

json content(const std::string& text) { return {{"content", text}}; }

}  // namespace

ToolCallStream::ToolCallStream(ToolOptions tools, std::string call_id)
    : tools_(std::move(tools)), call_id_(std::move(call_id)) {}

std::vector<json> ToolCallStream::piece(const std::string& text) {
  text_ += text;
  switch (mode_) {
    case Mode::Deciding:
      return held_back(decide());
    case Mode::Text:
      sent_ = text_.size();
      return {content(text)};
    case Mode::Calls:
      return held_back(calls());
    case Mode::Done:
      return {};
  }
  return {};
}

// With `auto` a call begins with the form's trigger (Llama's maybe after its tag): an answer
// that leaves it is text. A forced answer is the calls' JSON from its first byte.
std::vector<json> ToolCallStream::decide() {
  const ToolCallFormat& f = tools_.format;
  if (!tools_.forced()) {
    const std::string plain = f.trigger(), tagged = std::string(f.skipped) + plain;
    for (const std::string& start : {plain, tagged})
      if (text_.size() < start.size() && start.starts_with(text_)) return {};
    if (text_.starts_with(tagged)) {
      prefix_ = std::string(f.skipped) + std::string(f.answer_open());
    } else if (text_.starts_with(plain)) {
      prefix_ = f.answer_open();
    } else {
      mode_ = Mode::Text;
      sent_ = text_.size();
      return {content(text_)};
    }
  }
  mode_ = Mode::Calls;
  return calls();
}

// Each call in turn: its head once its name is known, then its arguments as they come,
// up to the bracket that closes them (the call's own closing brace is not theirs).
std::vector<json> ToolCallStream::calls() {
  std::vector<json> out;
  while (mode_ == Mode::Calls) {
    if (seeking_ && !next_call(out)) break;
    if (args_ == npos && !head(out)) break;
    const size_t end = json_value_end(text_, args_);
    const size_t upto = end == npos ? text_.size() : end;
    if (upto > sent_)
      out.push_back({{"tool_calls",
                      {{{"index", index_ - 1}, {"function", {{"arguments", text_.substr(sent_, upto - sent_)}}}}}}});
    sent_ = upto;
    if (end == npos) break;
    if (!arguments_pass(end)) {
      failed_ = true;
      mode_ = Mode::Done;
      break;
    }
    if (tools_.several())
      seeking_ = true;
    else
      mode_ = Mode::Done;
  }
  return out;
}

// Finds where the next call's object begins, in the form's order of calls; false while the
// text does not tell yet.
bool ToolCallStream::next_call(std::vector<json>& out) {
  const CallStep step = index_ == 0 ? first_call_step(tools_.format, text_, prefix_.size()) : step_after_last();
  if (step.kind == CallStep::Kind::More) return false;
  if (step.kind == CallStep::Kind::Off) {
    not_a_call(out);
    return false;
  }
  call_ = step.at;
  args_ = npos;
  seeking_ = false;
  return true;
}

// What follows the last call's object, once it has closed.
CallStep ToolCallStream::step_after_last() const {
  const size_t end = json_value_end(text_, call_);
  return end == npos ? CallStep{} : next_call_step(tools_.format, text_, end);
}

// The name is known once the arguments' key has come and their first byte after it; a
// name no tool has is no call, as in a whole answer.
bool ToolCallStream::head(std::vector<json>& out) {
  const std::string key = "\"" + std::string(tools_.format.arguments) + "\":";
  const size_t at = text_.find(key, call_);
  const size_t start = at == npos ? npos : text_.find_first_not_of(kSpace, at + key.size());
  if (start == npos) return false;
  std::string before = text_.substr(call_, at - call_);
  before.erase(before.find_last_not_of(", \n") + 1);
  const json named = json::parse(before + "}", nullptr, false);
  if (named.is_discarded() || !named.contains("name") || !named["name"].is_string() ||
      !tools_.offers(named["name"].get<std::string>()) || text_[start] != '{') {
    not_a_call(out);
    return false;
  }
  args_ = sent_ = start;
  name_ = named["name"].get<std::string>();
  out.push_back({{"tool_calls",
                  {{{"index", index_},
                    {"id", call_id_at(call_id_, index_)},
                    {"type", "function"},
                    {"function", {{"name", named["name"]}, {"arguments", ""}}}}}}});
  ++index_;
  return true;
}

void ToolCallStream::not_a_call(std::vector<json>& out) {
  if (index_ > 0) {
    mode_ = Mode::Done;  // the calls sent stand; what follows them is not one
    return;
  }
  mode_ = Mode::Text;
  if (!text_.empty()) out.push_back(content(text_));
  sent_ = text_.size();
}

bool ToolCallStream::arguments_pass(size_t end) const {
  if (!tools_.checks_calls()) return true;
  const json arguments = json::parse(text_.substr(args_, end - args_), nullptr, false);
  return !arguments.is_discarded() && tools_.arguments_pass(name_, arguments);
}

std::vector<json> ToolCallStream::held_back(std::vector<json> out) {
  if (!tools_.checks_calls()) return out;
  std::vector<json> passed;
  for (json& d : out) (d.contains("tool_calls") ? held_ : passed).push_back(std::move(d));
  return passed;
}

std::vector<json> ToolCallStream::end(std::string& finish_reason) {
  if (mode_ == Mode::Text) return {};
  if (index_ == 0 || failed_) {  // no call began, or one failed its check: the answer is its text
    mode_ = Mode::Text;
    return text_.empty() ? std::vector<json>{} : std::vector<json>{content(text_)};
  }
  if (answer_tool_calls(tools_, text_, tools_.forced(), call_id_)) finish_reason = "tool_calls";
  return std::move(held_);
}

}  // namespace lmc::tools

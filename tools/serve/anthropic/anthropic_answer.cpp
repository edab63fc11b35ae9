#include "tools/serve/anthropic/anthropic_answer.h"

#include <nlohmann/json.hpp>
#include <string>

#include "tools/serve/answer/translated_exchange.h"

namespace lmc::tools {
namespace {

using nlohmann::json;

std::string stop_reason(const json& finish) {
  const std::string f = finish.is_string() ? finish.get<std::string>() : "stop";
  if (f == "length") return "max_tokens";
  if (f == "tool_calls") return "tool_use";
  return "end_turn";
}

json usage_of(const json& u, int64_t input_tokens) {
  const json details = u.value("prompt_tokens_details", json::object());
  return {{"input_tokens", u.value("prompt_tokens", input_tokens)},
          {"output_tokens", u.value("completion_tokens", 0)},
          {"cache_read_input_tokens", details.value("cached_tokens", 0)},
          {"cache_creation_input_tokens", 0}};
}

json input_of(const json& call) {
  json input = json::parse(call["function"].value("arguments", "{}"), nullptr, false);
  return input.is_object() ? input : json::object();
}

json message(const json& chat, int64_t input_tokens) {
  const json choice = chat["choices"].empty() ? json::object() : chat["choices"][0];
  const json msg = choice.value("message", json::object());
  json content = json::array();
  if (msg.contains("reasoning_content") && msg["reasoning_content"].is_string())
    content.push_back({{"type", "thinking"}, {"thinking", msg["reasoning_content"]}, {"signature", ""}});
  if (msg.contains("content") && msg["content"].is_string() &&
      (!msg["content"].get<std::string>().empty() || !msg.contains("tool_calls")))
    content.push_back({{"type", "text"}, {"text", msg["content"]}});
  for (const json& call : msg.value("tool_calls", json::array()))
    content.push_back({{"type", "tool_use"},
                       {"id", call.value("id", "")},
                       {"name", call["function"]["name"]},
                       {"input", input_of(call)}});
  if (content.empty()) content.push_back({{"type", "text"}, {"text", ""}});
  return {{"id", "msg_" + chat.value("id", "")},
          {"type", "message"},
          {"role", "assistant"},
          {"model", chat.value("model", "")},
          {"content", content},
          {"stop_reason", stop_reason(choice.value("finish_reason", json()))},
          {"stop_sequence", json()},
          {"usage", usage_of(chat.value("usage", json::object()), input_tokens)}};
}

std::string event(const json& e) { return "event: " + e["type"].get<std::string>() + "\ndata: " + e.dump() + "\n\n"; }

// A stream's chunks as Anthropic's events: one content block open at a time, a new one
// started when the kind of delta changes (thinking, text, each tool call).
class EventStream {
 public:
  explicit EventStream(int64_t input_tokens) : input_tokens_(input_tokens) {}

  std::string chunk(const json& c) {
    std::string out;
    if (!started_) {
      started_ = true;
      out += event({{"type", "message_start"},
                    {"message",
                     {{"id", "msg_" + c.value("id", "")},
                      {"type", "message"},
                      {"role", "assistant"},
                      {"model", c.value("model", "")},
                      {"content", json::array()},
                      {"stop_reason", json()},
                      {"stop_sequence", json()},
                      {"usage", usage_of(json::object(), input_tokens_)}}}});
    }
    if (c.contains("error")) return out + event({{"type", "error"}, {"error", c["error"]}});
    if (c.contains("usage") && c["usage"].is_object()) usage_ = c["usage"];
    if (!c.contains("choices") || c["choices"].empty()) return out;
    const json& choice = c["choices"][0];
    const json delta = choice.value("delta", json::object());
    if (delta.contains("reasoning_content") && delta["reasoning_content"].is_string())
      out += block("thinking", {{"type", "thinking"}, {"thinking", ""}},
                   {{"type", "thinking_delta"}, {"thinking", delta["reasoning_content"]}});
    if (delta.contains("content") && delta["content"].is_string() && !delta["content"].get<std::string>().empty())
      out += block("text", {{"type", "text"}, {"text", ""}}, {{"type", "text_delta"}, {"text", delta["content"]}});
    for (const json& call : delta.value("tool_calls", json::array())) {
      const json fn = call.value("function", json::object());
      if (call.contains("id")) {
        out += close();
        out +=
            open("tool_use",
                 {{"type", "tool_use"}, {"id", call["id"]}, {"name", fn.value("name", "")}, {"input", json::object()}});
      }
      if (fn.contains("arguments") && !fn["arguments"].get<std::string>().empty())
        out += event({{"type", "content_block_delta"},
                      {"index", index_},
                      {"delta", {{"type", "input_json_delta"}, {"partial_json", fn["arguments"]}}}});
    }
    if (!choice.value("finish_reason", json()).is_null()) finish_ = choice["finish_reason"];
    return out;
  }

  // After the last chunk: the open block closed, the stop reason and usage, the end.
  std::string end() {
    if (ended_) return "";
    ended_ = true;
    std::string out;
    if (index_ < 0) out += open("text", {{"type", "text"}, {"text", ""}});  // an answer of nothing: one empty block
    out += close();
    const json u = usage_of(usage_, input_tokens_);
    out += event({{"type", "message_delta"},
                  {"delta", {{"stop_reason", stop_reason(finish_)}, {"stop_sequence", json()}}},
                  {"usage", {{"output_tokens", u["output_tokens"]}}}});
    return out + event({{"type", "message_stop"}});
  }

 private:
  std::string block(const std::string& kind, const json& start, const json& delta) {
    std::string out;
    if (!open_ || kind_ != kind) {
      out += close();  // before open(): the two change the same state
      out += open(kind, start);
    }
    return out + event({{"type", "content_block_delta"}, {"index", index_}, {"delta", delta}});
  }
  std::string open(const std::string& kind, const json& start) {
    open_ = true;
    kind_ = kind;
    ++index_;
    return event({{"type", "content_block_start"}, {"index", index_}, {"content_block", start}});
  }
  std::string close() {
    if (!open_) return "";
    open_ = false;
    return event({{"type", "content_block_stop"}, {"index", index_}});
  }

  int64_t input_tokens_;
  bool started_ = false, open_ = false, ended_ = false;
  std::string kind_;
  int index_ = -1;
  json finish_, usage_ = json::object();
};

class AnthropicExchange final : public TranslatedExchange {
 public:
  AnthropicExchange(std::shared_ptr<http::Exchange> client, int64_t input_tokens)
      : TranslatedExchange(std::move(client)), events_(input_tokens), input_tokens_(input_tokens) {}

  void reply(int status, const std::string& content_type, std::string body, http::Headers headers) override {
    json j = json::parse(body, nullptr, false);
    if (j.is_object() && status == 200) body = message(j, input_tokens_).dump();
    if (j.is_object() && j.contains("error"))
      body = json{{"type", "error"},
                  {"error",
                   {{"type", j["error"].value("type", "api_error")}, {"message", j["error"].value("message", "")}}}}
                 .dump();
    client().reply(status, content_type, std::move(body), std::move(headers));
  }

 private:
  std::string chunk_events(const json& chunk) override { return events_.chunk(chunk); }
  std::string end_events() override { return events_.end(); }

  EventStream events_;
  int64_t input_tokens_;
};

}  // namespace

std::shared_ptr<http::Exchange> anthropic_exchange(std::shared_ptr<http::Exchange> client, int64_t input_tokens) {
  return std::make_shared<AnthropicExchange>(std::move(client), input_tokens);
}

}  // namespace lmc::tools

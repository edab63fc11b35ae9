#include "tools/serve/responses/responses_answer.h"

#include <nlohmann/json.hpp>
#include <string>

#include "tools/serve/answer/translated_exchange.h"

namespace lmc::tools {
namespace {

using nlohmann::json;

json usage_of(const json& u) {
  const int64_t in = u.value("prompt_tokens", 0), out = u.value("completion_tokens", 0);
  return {{"input_tokens", in},
          {"input_tokens_details",
           {{"cached_tokens", u.value("prompt_tokens_details", json::object()).value("cached_tokens", 0)}}},
          {"output_tokens", out},
          {"output_tokens_details", {{"reasoning_tokens", 0}}},
          {"total_tokens", in + out}};
}

json text_part(const std::string& text) {
  return {{"type", "output_text"}, {"text", text}, {"annotations", json::array()}, {"logprobs", json::array()}};
}

json message_item(const std::string& id, const std::string& status, const json& content) {
  return {{"type", "message"}, {"id", id}, {"status", status}, {"role", "assistant"}, {"content", content}};
}

json response(const std::string& id, const std::string& model, int64_t created, const std::string& status,
              const json& output, const json& usage) {
  return {{"id", id},
          {"object", "response"},
          {"created_at", created},
          {"status", status},
          {"model", model},
          {"output", output},
          {"usage", usage},
          {"error", json()},
          {"incomplete_details", json()},
          {"parallel_tool_calls", false},
          {"tools", json::array()},
          {"tool_choice", "none"}};
}

std::string event(json e, int64_t& sequence) {
  e["sequence_number"] = sequence++;
  return "event: " + e["type"].get<std::string>() +
         "\ndata: " + e.dump(-1, ' ', false, json::error_handler_t::replace) + "\n\n";
}

// A stream's chat chunks as the Responses events: one output message of one text part.
class EventStream {
 public:
  std::string chunk(const json& c) {
    std::string out;
    if (!started_) out += start(c);
    if (c.contains("error")) {
      ended_ = true;  // no response.completed after it
      return out + event({{"type", "error"}, {"error", c["error"]}}, sequence_);
    }
    if (c.contains("usage") && c["usage"].is_object()) usage_ = c["usage"];
    if (c.contains("timings")) timings_ = c["timings"];
    if (c.contains("prompt_progress")) {
      json e = {{"type", "response.in_progress"},
                {"response", now("in_progress")},
                {"prompt_progress", c["prompt_progress"]}};
      if (c.contains("timings")) e["timings"] = c["timings"];
      out += event(e, sequence_);
    }
    if (!c.contains("choices") || c["choices"].empty()) return out;
    const json delta = c["choices"][0].value("delta", json::object());
    if (!delta.contains("content") || !delta["content"].is_string() || delta["content"].get<std::string>().empty())
      return out;
    const std::string piece = delta["content"];
    text_ += piece;
    json e = {{"type", "response.output_text.delta"},
              {"item_id", item_},
              {"output_index", 0},
              {"content_index", 0},
              {"delta", piece},
              {"logprobs", json::array()}};
    if (c.contains("timings")) e["timings"] = c["timings"];
    return out + event(e, sequence_);
  }

  std::string end() {
    if (ended_ || !started_) return "";
    ended_ = true;
    const json part = text_part(text_);
    std::string out = event({{"type", "response.output_text.done"},
                             {"item_id", item_},
                             {"output_index", 0},
                             {"content_index", 0},
                             {"text", text_},
                             {"logprobs", json::array()}},
                            sequence_);
    out += event({{"type", "response.content_part.done"},
                  {"item_id", item_},
                  {"output_index", 0},
                  {"content_index", 0},
                  {"part", part}},
                 sequence_);
    const json item = message_item(item_, "completed", json::array({part}));
    out += event({{"type", "response.output_item.done"}, {"output_index", 0}, {"item", item}}, sequence_);
    json done = {{"type", "response.completed"},
                 {"response", response(id_, model_, created_, "completed", json::array({item}), usage_of(usage_))}};
    if (!timings_.is_null()) done["timings"] = timings_;
    return out + event(done, sequence_);
  }

 private:
  std::string start(const json& c) {
    started_ = true;
    id_ = "resp_" + c.value("id", "");
    item_ = "msg_" + c.value("id", "");
    model_ = c.value("model", "");
    created_ = c.value("created", int64_t{0});
    std::string out = event({{"type", "response.created"}, {"response", now("in_progress")}}, sequence_);
    out += event({{"type", "response.in_progress"}, {"response", now("in_progress")}}, sequence_);
    out += event({{"type", "response.output_item.added"},
                  {"output_index", 0},
                  {"item", message_item(item_, "in_progress", json::array())}},
                 sequence_);
    out += event({{"type", "response.content_part.added"},
                  {"item_id", item_},
                  {"output_index", 0},
                  {"content_index", 0},
                  {"part", text_part("")}},
                 sequence_);
    return out;
  }
  json now(const std::string& status) const { return response(id_, model_, created_, status, json::array(), json()); }

  bool started_ = false, ended_ = false;
  int64_t sequence_ = 0, created_ = 0;
  std::string id_, item_, model_, text_;
  json usage_ = json::object(), timings_;
};

class ResponsesExchange final : public TranslatedExchange {
 public:
  explicit ResponsesExchange(std::shared_ptr<http::Exchange> client) : TranslatedExchange(std::move(client)) {}

  void reply(int status, const std::string& content_type, std::string body, http::Headers headers) override {
    json chat = json::parse(body, nullptr, false);
    if (status == 200 && chat.is_object() && chat.contains("choices")) {
      const json msg = chat["choices"].empty() ? json::object() : chat["choices"][0].value("message", json::object());
      const std::string text = msg.value("content", json()).is_string() ? msg["content"].get<std::string>() : "";
      const std::string id = chat.value("id", "");
      json item = message_item("msg_" + id, "completed", json::array({text_part(text)}));
      json r = response("resp_" + id, chat.value("model", ""), chat.value("created", int64_t{0}), "completed",
                        json::array({item}), usage_of(chat.value("usage", json::object())));
      if (chat.contains("timings")) r["timings"] = chat["timings"];
      body = r.dump(-1, ' ', false, json::error_handler_t::replace);
    }
    client().reply(status, content_type, std::move(body), std::move(headers));
  }

 private:
  std::string chunk_events(const json& chunk) override { return events_.chunk(chunk); }
  std::string end_events() override { return events_.end(); }

  EventStream events_;
};

}  // namespace

std::shared_ptr<http::Exchange> responses_exchange(std::shared_ptr<http::Exchange> client) {
  return std::make_shared<ResponsesExchange>(std::move(client));
}

}  // namespace lmc::tools

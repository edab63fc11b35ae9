#include "tools/serve_request.h"

#include <nlohmann/json.hpp>

namespace lmc::tools {

namespace {

using nlohmann::json;

[[noreturn]] void invalid(const std::string& param, const std::string& message) {
  throw ApiError(400, "invalid_request_error", message, param);
}

const json* field(const json& body, const char* name) {
  auto it = body.find(name);
  return it == body.end() || it->is_null() ? nullptr : &*it;
}

double number(const json& body, const char* name, double dflt, double lo, double hi) {
  const json* v = field(body, name);
  if (!v) return dflt;
  if (!v->is_number()) invalid(name, std::string("'") + name + "' must be a number");
  double d = v->get<double>();
  if (!(d >= lo && d <= hi))
    invalid(name, std::string("'") + name + "' must be between " + json(lo).dump() + " and " + json(hi).dump());
  return d;
}

std::optional<int64_t> integer(const json& body, const char* name, int64_t lo, int64_t hi) {
  const json* v = field(body, name);
  if (!v) return std::nullopt;
  if (!v->is_number_integer()) invalid(name, std::string("'") + name + "' must be an integer");
  // A number past int64 parses as unsigned or fails is_number_integer; both are out of range.
  if (v->is_number_unsigned() && v->get<uint64_t>() > static_cast<uint64_t>(hi))
    invalid(name, std::string("'") + name + "' must be between " + std::to_string(lo) + " and " + std::to_string(hi));
  int64_t i = v->get<int64_t>();
  if (i < lo || i > hi)
    invalid(name, std::string("'") + name + "' must be between " + std::to_string(lo) + " and " + std::to_string(hi));
  return i;
}

std::string text_of(const json& v, const std::string& param) {
  if (v.is_string()) return v.get<std::string>();
  // OpenAI's content parts: [{"type": "text", "text": "..."}, ...]; only text is understood.
  if (v.is_array()) {
    std::string out;
    for (const json& part : v) {
      if (!part.is_object() || part.value("type", "") != "text" || !part.contains("text") || !part["text"].is_string())
        invalid(param, "'" + param + "' parts must be {\"type\": \"text\", \"text\": \"...\"}");
      out += part["text"].get<std::string>();
    }
    return out;
  }
  invalid(param, "'" + param + "' must be a string");
}

std::vector<ChatMessage> messages(const json& body) {
  const json* v = field(body, "messages");
  if (!v || !v->is_array() || v->empty()) invalid("messages", "'messages' must be a non-empty array");
  std::vector<ChatMessage> out;
  for (size_t i = 0; i < v->size(); ++i) {
    const json& m = (*v)[i];
    std::string at = "messages[" + std::to_string(i) + "]";
    if (!m.is_object()) invalid(at, "'" + at + "' must be an object");
    const json* role = field(m, "role");
    if (!role || !role->is_string()) invalid(at + ".role", "'" + at + ".role' must be a string");
    std::string r = role->get<std::string>();
    if (r == "developer") r = "system";  // OpenAI's newer name for it
    if (r != "system" && r != "user" && r != "assistant")
      invalid(at + ".role", "'" + at + ".role' must be system, user or assistant");
    const json* content = field(m, "content");
    if (!content) invalid(at + ".content", "'" + at + ".content' is required");
    out.push_back({r, text_of(*content, at + ".content")});
  }
  if (out.back().role != "user") invalid("messages", "the last message must be the user's");
  return out;
}

std::vector<std::string> stops(const json& body) {
  const json* v = field(body, "stop");
  if (!v) return {};
  if (v->is_string()) return {v->get<std::string>()};
  if (!v->is_array() || v->size() > 4) invalid("stop", "'stop' must be a string or an array of up to 4 strings");
  std::vector<std::string> out;
  for (const json& s : *v) {
    if (!s.is_string() || s.get<std::string>().empty()) invalid("stop", "'stop' strings must be non-empty strings");
    out.push_back(s.get<std::string>());
  }
  return out;
}

std::string prompt(const json& body) {
  const json* v = field(body, "prompt");
  if (!v) invalid("prompt", "'prompt' is required");
  if (v->is_array() && v->size() == 1 && (*v)[0].is_string()) return (*v)[0].get<std::string>();
  if (!v->is_string()) invalid("prompt", "'prompt' must be a string (or an array of one string)");
  if (v->get<std::string>().empty()) invalid("prompt", "'prompt' is empty");
  return v->get<std::string>();
}

}  // namespace

ServeRequest parse_request(std::string_view text, bool chat, int64_t max_tokens_limit) {
  json body = json::parse(text, nullptr, false);
  if (body.is_discarded()) throw ApiError(400, "invalid_request_error", "the request body is not valid JSON");
  if (!body.is_object()) throw ApiError(400, "invalid_request_error", "the request body must be a JSON object");
  ServeRequest r;
  r.chat = chat;
  if (chat)
    r.messages = messages(body);
  else
    r.prompt = prompt(body);
  if (const json* m = field(body, "model")) {
    if (!m->is_string()) invalid("model", "'model' must be a string");
    r.model = m->get<std::string>();
  }
  r.max_tokens = integer(body, chat && field(body, "max_completion_tokens") ? "max_completion_tokens" : "max_tokens",
                         1, max_tokens_limit);
  r.sampling.temperature = static_cast<float>(number(body, "temperature", 1, 0, 2));
  r.sampling.top_p = static_cast<float>(number(body, "top_p", 1, 0, 1));
  if (field(body, "top_p") && r.sampling.top_p == 0) invalid("top_p", "'top_p' must be above 0");
  r.sampling.top_k = integer(body, "top_k", 0, int64_t{1} << 30).value_or(0);
  r.sampling.min_p = static_cast<float>(number(body, "min_p", 0, 0, 1));
  if (auto seed = integer(body, "seed", INT64_MIN, INT64_MAX)) {
    r.sampling.seed = static_cast<uint64_t>(*seed);
    r.seeded = true;
  }
  r.stop = stops(body);
  if (const json* s = field(body, "stream")) {
    if (!s->is_boolean()) invalid("stream", "'stream' must be true or false");
    r.stream = s->get<bool>();
  }
  return r;
}

}  // namespace lmc::tools

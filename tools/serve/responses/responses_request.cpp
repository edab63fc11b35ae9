#include "tools/serve/responses/responses_request.h"

#include <optional>
#include <set>

#include "tools/serve/fields/request_fields.h"
#include "tools/serve/request/serve_request.h"

namespace lmc::tools {
namespace {

using nlohmann::json;

// A string, or input_text / output_text parts joined.
std::string text_of(const json& content, const std::string& field) {
  if (content.is_string()) return content.get<std::string>();
  if (!content.is_array()) invalid_value(field, "must be a string or an array of text parts");
  std::string text;
  for (size_t i = 0; i < content.size(); ++i) {
    const json& part = content[i];
    const std::string type = part.is_object() ? part.value("type", "") : "";
    if ((type != "input_text" && type != "output_text" && type != "text") || !part.contains("text") ||
        !part["text"].is_string())
      invalid_value(field + "[" + std::to_string(i) + "]", "must be an input_text part (this model reads text only)");
    text += part["text"].get<std::string>();
  }
  return text;
}

json messages(const json& body) {
  json out = json::array();
  if (body.contains("instructions") && !body["instructions"].is_null()) {
    if (!body["instructions"].is_string()) invalid_value("instructions", "must be a string");
    out.push_back({{"role", "system"}, {"content", body["instructions"]}});
  }
  if (!body.contains("input")) invalid_value("input", "is required");
  const json& input = body["input"];
  if (input.is_string()) {
    out.push_back({{"role", "user"}, {"content", input}});
    return out;
  }
  if (!input.is_array() || input.empty()) invalid_value("input", "must be a string or a non-empty array of messages");
  for (size_t i = 0; i < input.size(); ++i) {
    const std::string field = "input[" + std::to_string(i) + "]";
    const json& item = input[i];
    if (!item.is_object() || item.value("type", "message") != "message")
      invalid_value(field, "must be a message ({\"role\", \"content\"})");
    if (!item.contains("role") || !item["role"].is_string()) invalid_value(field + ".role", "must be a string");
    if (!item.contains("content")) invalid_value(field + ".content", "is required");
    out.push_back({{"role", item["role"]}, {"content", text_of(item["content"], field + ".content")}});
  }
  return out;
}

// text.format: the answer's format, as a chat's response_format says it.
std::optional<json> response_format(const json& body) {
  if (!body.contains("text") || !body["text"].is_object() || !body["text"].contains("format")) return std::nullopt;
  const json& f = body["text"]["format"];
  const std::string type = f.is_object() ? f.value("type", "") : "";
  if (type == "text") return std::nullopt;
  if (type == "json_object") return json{{"type", "json_object"}};
  if (type != "json_schema") invalid_value("text.format.type", "must be text, json_object or json_schema");
  json schema = {{"name", f.value("name", "schema")}, {"schema", f.value("schema", json::object())}};
  if (f.contains("strict")) schema["strict"] = f["strict"];
  return json{{"type", "json_schema"}, {"json_schema", schema}};
}

}  // namespace

json responses_chat_request(const std::string& text) {
  const json body = json::parse(text, nullptr, false);
  if (!body.is_object()) throw ApiError(400, "invalid_request_error", "the request body must be a JSON object");
  for (const char* refused : {"tools", "previous_response_id", "conversation"})
    if (body.contains(refused) && !body[refused].is_null() && !(body[refused].is_array() && body[refused].empty()))
      invalid_value(refused, "is not supported on /v1/responses (use /v1/chat/completions)");
  json chat = {{"messages", messages(body)}};
  // Fields a chat reads by the same name; the Responses API's own bookkeeping is dropped.
  static const std::set<std::string> kDropped = {"input",
                                                 "instructions",
                                                 "max_output_tokens",
                                                 "tools",
                                                 "store",
                                                 "metadata",
                                                 "truncation",
                                                 "parallel_tool_calls",
                                                 "include",
                                                 "background",
                                                 "text",
                                                 "reasoning",
                                                 "user",
                                                 "service_tier",
                                                 "tool_choice",
                                                 "prompt_cache_key",
                                                 "safety_identifier"};
  for (const auto& [key, value] : body.items())
    if (!kDropped.count(key)) chat[key] = value;
  if (body.contains("max_output_tokens") && !body["max_output_tokens"].is_null())
    chat["max_tokens"] = body["max_output_tokens"];
  if (auto format = response_format(body)) chat["response_format"] = *format;
  return chat;
}

}  // namespace lmc::tools

#include "tools/serve/responses/responses_request.h"

#include <optional>
#include <set>

#include "tools/serve/fields/request_fields.h"
#include "tools/serve/request/image_parts.h"
#include "tools/serve/request/serve_request.h"

namespace lmc::tools {
namespace {

using nlohmann::json;

// An input_image part as a chat's image_url part: its image_url a data URI, which the chat
// reads (an http(s) URL or another URL refused here, naming the input's part); `detail` is a
// hint lmc has no use for. A file_id names an upload lmc does not keep.
json image_part(const json& part, const std::string& field) {
  if (part.contains("image_url") && part["image_url"].is_string()) {
    data_uri_payload(part["image_url"].get<std::string>(), field + ".image_url");
    return {{"type", "image_url"}, {"image_url", {{"url", part["image_url"]}}}};
  }
  if (part.contains("file_id"))
    invalid_value(field + ".file_id",
                  "is not supported: lmc keeps no files; send the image as a data URI in "
                  "image_url, data:image/png;base64,...");
  invalid_value(field + ".image_url", "must be a string, a data URI (data:image/png;base64,...)");
}

// A string, or input_text / output_text parts joined; with input_image parts among them,
// the chat's parts in their order (text and image_url).
json content_of(const json& content, const std::string& field) {
  if (content.is_string()) return content;
  if (!content.is_array()) invalid_value(field, "must be a string or an array of input_text and input_image parts");
  std::string text;
  json parts = json::array();
  bool images = false;
  for (size_t i = 0; i < content.size(); ++i) {
    const json& part = content[i];
    const std::string at = field + "[" + std::to_string(i) + "]";
    const std::string type = part.is_object() ? part.value("type", "") : "";
    if (type == "input_image") {
      parts.push_back(image_part(part, at));
      images = true;
      continue;
    }
    if ((type != "input_text" && type != "output_text" && type != "text") || !part.contains("text") ||
        !part["text"].is_string())
      invalid_value(at, "must be an input_text or input_image part");
    text += part["text"].get<std::string>();
    parts.push_back({{"type", "text"}, {"text", part["text"]}});
  }
  return images ? parts : json(text);
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
    out.push_back({{"role", item["role"]}, {"content", content_of(item["content"], field + ".content")}});
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

#include "tools/serve/anthropic/anthropic_request.h"

#include <algorithm>

#include "tools/serve/fields/request_fields.h"
#include "tools/serve/request/serve_request.h"

namespace lmc::tools {
namespace {

using nlohmann::json;

// An image where lmc reads none (the system prompt, a tool's result): llama-server's answer
// where it has no vision projector (its status, 500, kept).
[[noreturn]] void no_images() {
  throw ApiError(500, "server_error", "image input is not supported: images are read in a user's message content");
}

// An image block as OpenAI's image part (image_parts.h reads it): its base64 source as a
// data URI, a url source as the URL (refused there).
json image_part(const json& block, const std::string& field) {
  const json source = block.value("source", json());
  const std::string type = source.is_object() ? source.value("type", "") : "";
  if (type == "base64" && source.contains("data") && source["data"].is_string())
    return {{"type", "image_url"},
            {"image_url",
             {{"url",
               "data:" + source.value("media_type", "image/png") + ";base64," + source["data"].get<std::string>()}}}};
  if (type == "url" && source.contains("url") && source["url"].is_string())
    return {{"type", "image_url"}, {"image_url", {{"url", source["url"]}}}};
  invalid_value(field + ".source",
                "must be {\"type\": \"base64\", \"media_type\", \"data\"} or {\"type\": \"url\", \"url\"}");
}

// A string, or blocks of which the text ones count (an image is refused, no_images).
std::string text_of(const json& content, const std::string& field) {
  if (content.is_string()) return content.get<std::string>();
  if (content.is_null()) return "";
  if (!content.is_array()) invalid_value(field, "must be a string or an array of content blocks");
  std::string text;
  for (const json& block : content) {
    const std::string type = block.is_object() ? block.value("type", "") : "";
    if (type == "image") no_images();
    if (type == "text" && block.contains("text") && block["text"].is_string()) text += block["text"].get<std::string>();
  }
  return text;
}

json tool_call(const json& block, const std::string& field) {
  if (!block.contains("name") || !block["name"].is_string()) invalid_value(field, "tool_use needs a string 'name'");
  return {{"id", block.value("id", "")},
          {"type", "function"},
          {"function", {{"name", block["name"]}, {"arguments", block.value("input", json::object()).dump()}}}};
}

// One Anthropic message as one or more chat messages (a user's tool results each become one).
void add_message(const json& m, size_t i, json& out) {
  const std::string field = "messages[" + std::to_string(i) + "]";
  if (!m.is_object() || !m.contains("role") || !m["role"].is_string())
    invalid_value(field, "must be an object with a string 'role'");
  const std::string role = m["role"];
  if (role != "user" && role != "assistant") invalid_value(field + ".role", "must be \"user\" or \"assistant\"");
  const json content = m.value("content", json());
  if (!content.is_array()) {
    out.push_back({{"role", role}, {"content", text_of(content, field + ".content")}});
    return;
  }
  std::string text, thinking;
  json calls = json::array(), parts = json::array();  // parts: text and images, when there are images
  for (size_t b = 0; b < content.size(); ++b) {
    const json& block = content[b];
    const std::string at = field + ".content[" + std::to_string(b) + "]";
    const std::string type = block.is_object() ? block.value("type", "") : "";
    if (type == "text" && block.contains("text") && block["text"].is_string()) {
      text += block["text"].get<std::string>();
      parts.push_back({{"type", "text"}, {"text", block["text"]}});
    } else if (type == "image" && role == "user") {
      parts.push_back(image_part(block, at));
    } else if (type == "thinking") {
      thinking += block.value("thinking", "");
    } else if (type == "tool_use" && role == "assistant") {
      calls.push_back(tool_call(block, at));
    } else if (type == "tool_result" && role == "user") {
      std::string result = text_of(block.value("content", json()), at + ".content");
      if (block.value("is_error", false)) result = "Error: " + result;
      out.push_back({{"role", "tool"}, {"tool_call_id", block.value("tool_use_id", "")}, {"content", result}});
    } else if (type != "document" && type != "redacted_thinking") {
      invalid_value(at, "is not a content block of a " + role + " message");
    }
  }
  if (text.empty() && calls.empty() && thinking.empty() && role == "user" && !out.empty() &&
      out.back()["role"] == "tool")
    return;  // the message was its tool results
  const bool images = std::any_of(parts.begin(), parts.end(), [](const json& p) { return p["type"] == "image_url"; });
  json msg = {{"role", role}, {"content", images ? parts : json(text)}};
  if (!calls.empty()) msg["tool_calls"] = calls;
  if (!thinking.empty()) msg["reasoning_content"] = thinking;
  out.push_back(msg);
}

json tool_choice(const json& choice) {
  const std::string type = choice.is_object() ? choice.value("type", "auto") : "auto";
  if (type == "any") return "required";
  if (type == "none") return "none";
  if (type == "tool") return {{"type", "function"}, {"function", {{"name", choice.value("name", "")}}}};
  return "auto";
}

json tools(const json& given) {
  if (!given.is_array()) invalid_value("tools", "must be an array");
  json out = json::array();
  for (const json& t : given) {
    if (!t.is_object() || !t.contains("name") || !t["name"].is_string())
      invalid_value("tools", "each needs a string 'name'");
    json fn = {{"name", t["name"]}, {"parameters", t.value("input_schema", json{{"type", "object"}})}};
    if (t.contains("description")) fn["description"] = t["description"];
    out.push_back({{"type", "function"}, {"function", fn}});
  }
  return out;
}

}  // namespace

json anthropic_chat_request(const std::string& body) {
  const json in = json::parse(body, nullptr, false);
  if (!in.is_object()) throw ApiError(400, "invalid_request_error", "the body is not a JSON object");
  if (!in.contains("messages") || !in["messages"].is_array()) invalid_value("messages", "must be an array");
  json messages = json::array();
  if (in.contains("system")) messages.push_back({{"role", "system"}, {"content", text_of(in["system"], "system")}});
  for (size_t i = 0; i < in["messages"].size(); ++i) add_message(in["messages"][i], i, messages);
  // llama-server answers a conversation of no messages: as one empty user turn.
  if (in["messages"].empty()) messages.push_back({{"role", "user"}, {"content", ""}});
  json out = {{"messages", messages}};
  for (const char* same : {"max_tokens", "temperature", "top_p", "top_k", "stream"})
    if (in.contains(same)) out[same] = in[same];
  if (in.contains("stop_sequences")) out["stop"] = in["stop_sequences"];
  if (in.contains("tools") && !in["tools"].empty()) out["tools"] = tools(in["tools"]);
  if (in.contains("tool_choice")) out["tool_choice"] = tool_choice(in["tool_choice"]);
  if (out.value("stream", false)) out["stream_options"] = {{"include_usage", true}};
  return out;
}

}  // namespace lmc::tools

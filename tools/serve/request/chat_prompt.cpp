#include "tools/serve/request/chat_prompt.h"

#include <ctime>

#include "support/error.h"

namespace lmc::tools {

namespace {

using Json = nlohmann::ordered_json;

// The tools as a system message says them to a template that does not render them, which
// is taught the Hermes form (tool_call_format_for).
std::string tools_text(const Json& tools) {
  std::string text =
      "You can call functions. Their signatures, one JSON object a line, are inside <tools></tools>:\n<tools>\n";
  for (const Json& t : tools) text += t.dump() + "\n";
  return text + "</tools>\nTo call one, answer with its name and arguments as JSON inside <tool_call></tool_call>:\n" +
         std::string(kHermesCalls.open) + "{\"name\": <function name>, \"arguments\": <arguments as a JSON object>}" +
         std::string(kHermesCalls.close);
}

// Earlier calls as the text the assistant wrote them in, in the form the answer is read
// in, for a template without tool_calls: a list form's calls in one array.
std::string calls_text(std::string content, const Json& calls, const ToolCallFormat& f) {
  const std::string open(f.open), close(f.close);
  Json objects = Json::array();
  for (const Json& c : calls)
    objects.push_back({{"name", c["function"]["name"]}, {std::string(f.arguments), c["function"]["arguments"]}});
  for (const Json& o : f.list ? Json::array({objects}) : objects) {
    if (!content.empty()) content += "\n";
    content += open + o.dump() + close;
  }
  return content;
}

// Whether the template renders an assistant's earlier calls itself: it reads an attribute
// `tool_calls` (of a message, as `m.tool_calls` or `m['tool_calls']`), which a comment or a
// string naming it does not. A family fallback renders text only.
bool renders_tool_calls(const models::ChatTemplate& chat) {
  return chat.jinja_template() && chat.jinja_template()->read_attributes().contains("tool_calls");
}

Json template_messages(const models::ChatTemplate& chat, const std::vector<ChatMessage>& messages,
                       const ToolOptions& tools) {
  const bool reads_calls = renders_tool_calls(chat);
  Json list = Json::array();
  for (const ChatMessage& m : messages) {
    Json j = {{"role", m.role}, {"content", m.content}};
    if (!m.tool_calls.is_null() && reads_calls) j["tool_calls"] = m.tool_calls;
    if (!m.tool_calls.is_null() && !reads_calls) j["content"] = calls_text(m.content, m.tool_calls, tools.format);
    if (m.role == "tool") j["tool_call_id"] = m.tool_call_id;
    if (!m.reasoning_content.empty()) j["reasoning_content"] = m.reasoning_content;
    list.push_back(std::move(j));
  }
  if (tools.any() && !renders_tools(chat.jinja_template()) && chat.own_template()) {
    if (list[0]["role"] == "system")
      list[0]["content"] = list[0]["content"].get<std::string>() + "\n\n" + tools_text(tools.tools);
    else
      list.insert(list.begin(), Json{{"role", "system"}, {"content", tools_text(tools.tools)}});
  }
  return list;
}

// What the template refuses is the client's error.
// Today's date as llama.cpp gives every template (Llama 3's date_string, firefunction's
// datetime), unless the request's variables set them.
Json with_dates(Json variables) {
  const std::time_t now = std::time(nullptr);
  std::tm local{};
  localtime_r(&now, &local);
  char date_string[32], datetime[32];
  std::strftime(date_string, sizeof date_string, "%d %b %Y", &local);
  std::strftime(datetime, sizeof datetime, "%b %d %Y", &local);
  if (!variables.contains("date_string")) variables["date_string"] = date_string;
  if (!variables.contains("datetime")) variables["datetime"] = datetime;
  return variables;
}

std::string rendered(const models::ChatTemplate& chat, const std::vector<ChatMessage>& messages,
                     bool add_generation_prompt, const ServeRequest& r) {
  try {
    return chat.render(template_messages(chat, messages, r.tools), add_generation_prompt, r.tools.tools,
                       with_dates(r.template_variables));
  } catch (const Error& e) {
    throw ApiError(400, "invalid_request_error", e.what(), "messages");
  }
}

// The text an answer goes on from: a message of text parts joins them by blank lines, as
// llama.cpp renders a continued message's content.
std::string continued_text(const ChatMessage& m) {
  if (m.text_parts.empty()) return m.content;
  std::string text;
  for (const std::string& part : m.text_parts) text += (text.empty() ? "" : "\n\n") + part;
  return text;
}

}  // namespace

std::string rendered_chat(const models::ChatTemplate* chat, const ServeRequest& r, const std::string& model_name) {
  if (!chat)
    throw ApiError(400, "invalid_request_error", "the model " + model_name + " has no chat format; use /v1/completions",
                   "messages");
  const ChatMessage& last = r.messages.back();
  if (last.role != "assistant") return rendered(*chat, r.messages, r.add_generation_prompt, r);
  if (r.messages.size() > 1 && r.messages[r.messages.size() - 2].role == "assistant")
    throw ApiError(400, "invalid_request_error",
                   "the last two messages are the assistant's: an answer continues one message", "messages");
  if (!last.tool_calls.is_null()) return rendered(*chat, r.messages, false, r);
  // Rendered whole, the answer would be closed (its end-of-turn written); cut before it
  // and opened by the generation prompt, its text is what the model goes on from.
  const std::vector<ChatMessage> before(r.messages.begin(), r.messages.end() - 1);
  return rendered(*chat, before, true, r) + continued_text(last);
}

std::string chat_prompt(const models::ChatTemplate* chat, const ServeRequest& r, const std::string& model_name,
                        bool tokenizer_adds_bos) {
  const ChatMessage& last = r.messages.back();
  if (last.role == "assistant" && !last.tool_calls.is_null())
    throw ApiError(400, "invalid_request_error",
                   "the last message is the assistant's tool calls: an answer is continued only from its text",
                   "messages");
  if (last.role == "assistant" && r.tools.forced())
    throw ApiError(400, "invalid_request_error",
                   "an answer continued from the assistant's text cannot be a call the tool_choice requires",
                   "tool_choice");
  std::string text = rendered_chat(chat, r, model_name);
  if (r.tools.forced()) text += r.tools.format.open;
  return chat->for_encoding(std::move(text), tokenizer_adds_bos);
}

}  // namespace lmc::tools

#include "tools/serve/request/template_caps.h"

#include "support/error.h"

namespace lmc::tools {

namespace {

using ojson = nlohmann::ordered_json;

ojson message(const char* role, const char* content) { return {{"role", role}, {"content", content}}; }

ojson call(const char* id, const char* name) {
  return {{"id", id}, {"type", "function"}, {"function", {{"name", name}, {"arguments", {{"probe_argument", 1}}}}}};
}

// Whether every probe is in the rendering of `messages` (with `tools`); a refusal is a no.
bool shows(const models::ChatTemplate& chat, const ojson& messages, const ojson& tools,
           std::initializer_list<const char*> probes) {
  std::string text;
  try {
    text = chat.render(messages, true, tools);
  } catch (const Error&) {
    return false;
  }
  for (const char* p : probes)
    if (text.find(p) == std::string::npos) return false;
  return true;
}

}  // namespace

nlohmann::json chat_template_caps(const models::ChatTemplate* chat) {
  if (!chat) return nullptr;
  const ojson user = message("user", "probe_user_text");
  ojson calls = message("assistant", "");
  calls["tool_calls"] = ojson::array({call("probe_id_1", "probe_call_one"), call("probe_id_2", "probe_call_two")});
  ojson result = message("tool", "probe_tool_result");
  result["tool_call_id"] = "probe_id_1";
  const ojson tool = {{"type", "function"},
                      {"function", {{"name", "probe_tool_name"}, {"parameters", {{"type", "object"}}}}}};
  const ojson with_calls = ojson::array({user, calls, result});
  return {
      {"supports_system_role",
       shows(*chat, ojson::array({message("system", "probe_system_text"), user}), nullptr, {"probe_system_text"})},
      {"supports_tools", shows(*chat, ojson::array({user}), ojson::array({tool}), {"probe_tool_name"})},
      {"supports_tool_calls", shows(*chat, with_calls, nullptr, {"probe_call_one"})},
      {"supports_tool_responses", shows(*chat, with_calls, nullptr, {"probe_tool_result"})},
      {"supports_parallel_tool_calls", shows(*chat, with_calls, nullptr, {"probe_call_one", "probe_call_two"})},
      {"supports_tool_call_id", shows(*chat, with_calls, nullptr, {"probe_id_1"})},
  };
}

}  // namespace lmc::tools

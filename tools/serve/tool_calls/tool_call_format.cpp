#include "tools/serve/tool_calls/tool_call_format.h"

#include <algorithm>

#include "jinja/template.h"

namespace lmc::tools {

bool renders_tools(const jinja::Template* chat_template) {
  return chat_template && chat_template->referenced_names().contains("tools");
}

const ToolCallFormat& tool_call_format_for(const jinja::Template* chat_template) {
  if (!renders_tools(chat_template)) return kHermesCalls;
  const auto holds = [&](std::string_view marker) {
    return std::ranges::any_of(chat_template->literals(),
                               [&](const std::string& text) { return text.find(marker) != std::string::npos; });
  };
  if (holds("<tool_call>")) return kHermesCalls;
  if (holds("[TOOL_CALLS]")) return kMistralCalls;
  if (holds("<|python_tag|>") || holds("\"parameters\"")) return kLlama3Calls;
  return kHermesCalls;
}

}  // namespace lmc::tools

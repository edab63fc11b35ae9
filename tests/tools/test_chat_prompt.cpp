// lmc serve's rendered chat (tools/serve/chat_prompt.h): a conversation ending with the user
// or a tool result gets the generation prompt; one ending in the assistant's text is
// continued, as llama-server's /apply-template renders it; one ending in the assistant's
// calls is a finished turn; what the template refuses is a 400.
#include "tools/serve/chat_prompt.h"

#include <gtest/gtest.h>

namespace lmc::tools {
namespace {

// ChatML-like: each turn closed, the answer opened by the generation prompt.
constexpr const char* kTurns =
    "{% for m in messages %}<{{ m.role }}>{{ m.content }}{% for c in m.tool_calls %}call {{ c.function.name }}"
    "{% endfor %}</{{ m.role }}>{% endfor %}{% if add_generation_prompt %}<assistant>{% endif %}";

std::string render(const std::vector<ChatMessage>& messages, const std::string& source = kTurns) {
  ir::ChatFormat format;
  format.jinja = source;
  const models::ChatTemplate chat(format, "t.jinja", {});
  return rendered_chat(&chat, messages, "m");
}

ChatMessage user(std::string text) { return {"user", std::move(text), nullptr, ""}; }
ChatMessage assistant(std::string text) { return {"assistant", std::move(text), nullptr, ""}; }

TEST(ChatPrompt, TheUsersOrAToolsTurnLastIsAnswered) {
  EXPECT_EQ(render({user("hi")}), "<user>hi</user><assistant>");
  const ChatMessage tool{"tool", "21", nullptr, "c1"};
  EXPECT_EQ(render({user("hi"), assistant("look"), tool}),
            "<user>hi</user><assistant>look</assistant><tool>21</tool><assistant>");
}

TEST(ChatPrompt, TheAssistantsTextLastIsContinued) {
  EXPECT_EQ(render({user("hi"), assistant("Hel")}), "<user>hi</user><assistant>Hel");
  EXPECT_EQ(render({assistant("Hel")}), "<assistant>Hel");
}

TEST(ChatPrompt, TheAssistantsCallsLastAreAFinishedTurn) {
  ChatMessage calls = assistant("");
  calls.tool_calls = nlohmann::ordered_json::parse(R"([{"function": {"name": "f", "arguments": {}}}])");
  EXPECT_EQ(render({user("hi"), calls}), "<user>hi</user><assistant>call f</assistant>");
}

TEST(ChatPrompt, WhatTheTemplateRefusesIsA400) {
  try {
    render({user("hi"), assistant("Hel")}, "{{ raise_exception('no prefill') }}");
    FAIL() << "the template's refusal was not raised";
  } catch (const ApiError& e) {
    EXPECT_EQ(e.status, 400);
    EXPECT_NE(std::string(e.what()).find("no prefill"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace lmc::tools

// lmc serve's rendered chat (tools/serve/request/chat_prompt.h): a conversation ending with the user
// or a tool result gets the generation prompt; one ending in the assistant's text is
// continued, as llama-server's /apply-template renders it; one ending in the assistant's
// calls is a finished turn; what the template refuses is a 400. The request's
// add_generation_prompt and template variables reach the template; a completion continues
// only text, and not into a required call.
#include "tools/serve/request/chat_prompt.h"

#include <gtest/gtest.h>

namespace lmc::tools {
namespace {

// ChatML-like: each turn closed, the answer opened by the generation prompt.
constexpr const char* kTurns =
    "{% for m in messages %}<{{ m.role }}>{{ m.content }}{% for c in m.tool_calls %}call {{ c.function.name }}"
    "{% endfor %}</{{ m.role }}>{% endfor %}{% if add_generation_prompt %}<assistant>{% endif %}";

models::ChatTemplate chat_of(const std::string& source) {
  ir::ChatFormat format;
  format.jinja = source;
  return models::ChatTemplate(format, "t.jinja", {});
}

ServeRequest request(std::vector<ChatMessage> messages) {
  ServeRequest r;
  r.chat = true;
  r.messages = std::move(messages);
  return r;
}

std::string render(const std::vector<ChatMessage>& messages, const std::string& source = kTurns) {
  const models::ChatTemplate chat = chat_of(source);
  return rendered_chat(&chat, request(messages), "m");
}

// The status and parameter of the ApiError `f` throws.
template <class F>
std::pair<int, std::string> refusal(F f) {
  try {
    f();
  } catch (const ApiError& e) {
    return {e.status, e.param};
  }
  return {0, ""};
}

ChatMessage message(std::string role, std::string text, std::string call_id = "") {
  ChatMessage m;
  m.role = std::move(role);
  m.content = std::move(text);
  m.tool_call_id = std::move(call_id);
  return m;
}
ChatMessage user(std::string text) { return message("user", std::move(text)); }
ChatMessage assistant(std::string text) { return message("assistant", std::move(text)); }

TEST(ChatPrompt, TheUsersOrAToolsTurnLastIsAnswered) {
  EXPECT_EQ(render({user("hi")}), "<user>hi</user><assistant>");
  const ChatMessage tool = message("tool", "21", "c1");
  EXPECT_EQ(render({user("hi"), assistant("look"), tool}),
            "<user>hi</user><assistant>look</assistant><tool>21</tool><assistant>");
}

TEST(ChatPrompt, TheAssistantsTextLastIsContinued) {
  EXPECT_EQ(render({user("hi"), assistant("Hel")}), "<user>hi</user><assistant>Hel");
  EXPECT_EQ(render({assistant("Hel")}), "<assistant>Hel");
  ChatMessage parts = assistant("Hello");  // given as text parts: joined by blank lines, as llama.cpp
  parts.text_parts = {"Hel", "lo"};
  EXPECT_EQ(render({user("hi"), parts}), "<user>hi</user><assistant>Hel\n\nlo");
  ChatMessage earlier = user("ab");  // an earlier message's parts are its content, as given
  earlier.text_parts = {"a", "b"};
  EXPECT_EQ(render({earlier}), "<user>ab</user><assistant>");
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

TEST(ChatPrompt, AddGenerationPromptFalseLeavesItOut) {
  const models::ChatTemplate chat = chat_of(kTurns);
  ServeRequest r = request({user("hi")});
  r.add_generation_prompt = false;
  EXPECT_EQ(rendered_chat(&chat, r, "m"), "<user>hi</user>");
}

TEST(ChatPrompt, TemplateVariablesReachTheTemplate) {
  const models::ChatTemplate chat = chat_of(
      "{{ messages[0].content }}{% if enable_thinking is defined and not enable_thinking %}<no-think>"
      "{% endif %}{{ reasoning_effort | default('') }}");
  ServeRequest r = request({user("hi")});
  EXPECT_EQ(rendered_chat(&chat, r, "m"), "hi");
  r.template_variables = {{"enable_thinking", false}, {"reasoning_effort", "low"}};
  EXPECT_EQ(rendered_chat(&chat, r, "m"), "hi<no-think>low");
}

TEST(ChatPrompt, ACompletionContinuesTheAssistantsText) {
  const models::ChatTemplate chat = chat_of(kTurns);
  EXPECT_EQ(chat_prompt(&chat, request({user("hi"), assistant("Hel")}), "m", false), "<user>hi</user><assistant>Hel");
}

TEST(ChatPrompt, ACompletionDoesNotContinueCallsOrIntoARequiredCall) {
  const models::ChatTemplate chat = chat_of(kTurns);
  ChatMessage calls = assistant("");
  calls.tool_calls = nlohmann::ordered_json::parse(R"([{"function": {"name": "f", "arguments": {}}}])");
  EXPECT_EQ(refusal([&] { chat_prompt(&chat, request({user("hi"), calls}), "m", false); }),
            std::make_pair(400, std::string("messages")));
  ServeRequest forced = request({user("hi"), assistant("Hel")});
  forced.tools.tools = nlohmann::ordered_json::parse(R"([{"type": "function", "function": {"name": "f"}}])");
  forced.tools.choice = "required";
  EXPECT_EQ(refusal([&] { chat_prompt(&chat, forced, "m", false); }), std::make_pair(400, std::string("tool_choice")));
}

}  // namespace
}  // namespace lmc::tools

// tools/serve/answer/reasoning_split.h and chat_answer.h: a reasoning model's answer parted into
// its reasoning and its content, whole and fed in pieces cut anywhere (tags and the
// whitespace around them split across pieces), the stream's deltas joining to the whole
// answer's message, tool calls after the reasoning included.
#include "tools/serve/answer/reasoning_split.h"

#include <gtest/gtest.h>

#include "tools/serve/answer/chat_answer.h"

namespace lmc::tools {
namespace {

using nlohmann::json;
using Parts = ReasoningSplit::Parts;

Parts whole(const std::string& answer, bool opened = false, ReasoningFormat f = ReasoningFormat::Deepseek) {
  return split_reasoning(f, opened, answer);
}

// The answer fed in pieces that end at `cuts`, the parts joined.
Parts streamed(const std::string& answer, const std::vector<size_t>& cuts, bool opened, ReasoningFormat f) {
  ReasoningSplit split(f, opened);
  Parts out;
  size_t from = 0;
  auto add = [&out](const Parts& p) {
    out.reasoning += p.reasoning;
    out.content += p.content;
  };
  for (size_t cut : cuts) {
    add(split.piece(answer.substr(from, cut - from)));
    from = cut;
  }
  add(split.piece(answer.substr(from)));
  add(split.end());
  return out;
}

void expect_parts(const Parts& p, const std::string& reasoning, const std::string& content) {
  EXPECT_EQ(p.reasoning, reasoning);
  EXPECT_EQ(p.content, content);
}

TEST(ReasoningSplit, ThinkAtTheStartIsTheReasoning) {
  expect_parts(whole("<think>plan</think>answer"), "plan", "answer");
  expect_parts(whole("<think>\n  plan it\n\n</think>\n\nThe answer.\n"), "plan it", "The answer.\n");
  expect_parts(whole("\n <think>plan</think> answer"), "plan", "answer");
}

TEST(ReasoningSplit, AGenerationPromptThatOpenedThinkStartsInTheReasoning) {
  expect_parts(whole("\nplan</think>\nanswer", true), "plan", "answer");
  EXPECT_TRUE(prompt_opens_reasoning("<|im_start|>assistant\n<think>\n"));
  EXPECT_FALSE(prompt_opens_reasoning("<|im_start|>assistant\n<think>\n\n</think>\n\n"));
  EXPECT_FALSE(prompt_opens_reasoning("<|im_start|>assistant\n"));
}

TEST(ReasoningSplit, AnAnswerCutInsideItsReasoningIsAllReasoning) {
  expect_parts(whole("<think>half a thought \n"), "half a thought", "");
  expect_parts(whole("<think>half</thi"), "half</thi", "");
  expect_parts(whole("<think>"), "", "");
}

TEST(ReasoningSplit, AnAnswerNotOpeningWithThinkIsContent) {
  expect_parts(whole("Hello <think>x</think>"), "", "Hello <think>x</think>");
  expect_parts(whole("<thi"), "", "<thi");
  expect_parts(whole("  "), "", "  ");
  expect_parts(whole("<thinking>x"), "", "<thinking>x");
}

TEST(ReasoningSplit, NoneLeavesItAndLegacyCopiesIt) {
  expect_parts(whole("<think>plan</think>answer", false, ReasoningFormat::None), "", "<think>plan</think>answer");
  expect_parts(whole("<think>plan</think>answer", false, ReasoningFormat::DeepseekLegacy), "plan",
               "<think>plan</think>answer");
}

// Every answer, cut at every one and every two places, under every format, with the
// prompt opening <think> or not: the pieces join to the whole answer's parts.
TEST(ReasoningSplit, PiecesCutAnywhereJoinToTheWholeAnswer) {
  const std::vector<std::string> answers = {"<think>a b</think>c",
                                            " \n<think>\n plan \n</think>\n\n ok ",
                                            "plan\n</think>x",
                                            "<think>x</thi",
                                            "<thi",
                                            "no <think> here",
                                            "<think>\n\n</think>\n\nfine",
                                            "<think>a</think></think>b",
                                            "</think>",
                                            "<think>a\n</think\n>b</think>c"};
  const ReasoningFormat formats[] = {ReasoningFormat::None, ReasoningFormat::Deepseek, ReasoningFormat::DeepseekLegacy,
                                     ReasoningFormat::Auto};
  for (const std::string& answer : answers)
    for (ReasoningFormat f : formats)
      for (bool opened : {false, true}) {
        const Parts want = whole(answer, opened, f);
        for (size_t i = 0; i <= answer.size(); ++i)
          for (size_t j = i; j <= answer.size(); ++j) {
            const Parts got = streamed(answer, {i, j}, opened, f);
            ASSERT_EQ(got.reasoning, want.reasoning) << answer << " cut at " << i << ", " << j;
            ASSERT_EQ(got.content, want.content) << answer << " cut at " << i << ", " << j;
          }
      }
}

ToolOptions hermes_tools() {
  return parse_tools(nlohmann::ordered_json::parse(
      R"({"tools": [{"type": "function", "function": {"name": "get_weather", "parameters": {"type": "object",
          "properties": {"city": {"type": "string"}}}}}], "tool_choice": "auto"})"));
}

// The deltas of `answer` in pieces of `n` bytes, joined as a client joins them.
json joined(const ToolOptions& tools, const ReasoningRead& read, const std::string& answer, size_t n,
            std::string& finish) {
  ChatDeltas deltas(tools, "call_1", read);
  std::vector<json> all;
  for (size_t i = 0; i < answer.size(); i += n)
    for (json& d : deltas.piece(answer.substr(i, n))) all.push_back(std::move(d));
  for (json& d : deltas.end(finish)) all.push_back(std::move(d));
  json message = {{"role", "assistant"}, {"content", json()}};  // a stream opens with content null
  json calls = json::array();
  for (const json& d : all) {
    EXPECT_EQ(d.size(), 1u) << d;  // one field a delta
    if (d.contains("reasoning_content"))
      message["reasoning_content"] = message.value("reasoning_content", "") + d["reasoning_content"].get<std::string>();
    if (d.contains("content"))
      message["content"] =
          (message["content"].is_null() ? "" : message["content"].get<std::string>()) + d["content"].get<std::string>();
    if (!d.contains("tool_calls")) continue;
    const json& c = d["tool_calls"][0];
    if (c["index"].get<size_t>() == calls.size())
      calls.push_back(
          {{"id", c["id"]}, {"type", "function"}, {"function", {{"name", c["function"]["name"]}, {"arguments", ""}}}});
    json& arguments = calls[c["index"].get<size_t>()]["function"]["arguments"];
    arguments = arguments.get<std::string>() + c["function"]["arguments"].get<std::string>();
  }
  if (!calls.empty()) message["tool_calls"] = calls;
  return message;
}

TEST(ChatAnswer, ReasoningThenACallReadsTheSameWholeAndStreamed) {
  const ToolOptions tools = hermes_tools();
  const ReasoningRead read{ReasoningFormat::Auto, false};
  const std::string answer =
      "<think>\nThe user wants the weather.\n</think>\n\n<tool_call>\n{\"name\": \"get_weather\", \"arguments\": "
      "{\"city\": \"Paris\"}}\n</tool_call>";
  std::string whole_finish = "stop";
  const json message = chat_message(tools, read, answer, "call_1", whole_finish, false);
  EXPECT_EQ(whole_finish, "tool_calls");
  EXPECT_EQ(message["reasoning_content"], "The user wants the weather.");
  ASSERT_EQ(message["tool_calls"].size(), 1u) << message;
  EXPECT_EQ(message["tool_calls"][0]["function"]["arguments"], "{\"city\": \"Paris\"}");
  for (size_t n = 1; n <= answer.size(); ++n) {
    std::string finish = "stop";
    EXPECT_EQ(joined(tools, read, answer, n, finish), message) << "pieces of " << n;
    EXPECT_EQ(finish, "tool_calls");
  }
}

TEST(ChatAnswer, ReasoningThenTextReadsTheSameWholeAndStreamed) {
  const std::string answer = "<think>plan</think>\nParis.";
  for (ReasoningFormat f : {ReasoningFormat::None, ReasoningFormat::Deepseek, ReasoningFormat::DeepseekLegacy})
    for (bool cut : {false, true}) {
      std::string whole_finish = cut ? "length" : "stop";
      const json message = chat_message({}, {f, false}, answer, "call_1", whole_finish, cut);
      EXPECT_EQ(message.contains("reasoning_content"), f != ReasoningFormat::None) << message;
      for (size_t n = 1; n <= answer.size(); ++n) {
        std::string finish = cut ? "length" : "stop";
        EXPECT_EQ(joined({}, {f, false}, answer, n, finish), message) << "pieces of " << n;
      }
    }
}

}  // namespace
}  // namespace lmc::tools

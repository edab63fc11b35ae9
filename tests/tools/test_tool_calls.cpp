// tools/serve/tool_calls.h: a request's tools and tool_choice, the schema a forced call is
// decoded under, earlier calls as templates read them, and the answer's tool_calls.
#include "tools/serve/tool_calls.h"

#include <gtest/gtest.h>

#include "tools/serve/serve_request.h"

namespace lmc::tools {
namespace {

using Json = nlohmann::ordered_json;

Json weather() {
  return Json::parse(R"({"type": "function", "function": {"name": "get_weather", "parameters": {"type": "object",
      "properties": {"city": {"type": "string"}, "unit": {"enum": ["c", "f"]}}, "required": ["city", "unit"]}}})");
}

Json body(const char* extra) {
  Json b = Json::parse(std::string(R"({"tools": [)") + weather().dump() +
                       R"(, {"type": "function", "function": {"name": "ping"}}])" + extra + "}");
  return b;
}

std::string param_of(const Json& b) {
  try {
    parse_tools(b);
  } catch (const ApiError& e) {
    EXPECT_EQ(e.status, 400);
    return e.param;
  }
  return "(accepted)";
}

TEST(ToolCalls, ReadsToolsAndChoices) {
  ToolOptions o = parse_tools(body(""));
  EXPECT_EQ(o.tools.size(), 2u);
  EXPECT_EQ(o.choice, "auto");
  EXPECT_FALSE(o.forced());
  EXPECT_TRUE(parse_tools(body(R"(, "tool_choice": "required")")).forced());
  o = parse_tools(
      body(R"(, "tool_choice": {"type": "function", "function": {"name": "ping"}}, "parallel_tool_calls": false)"));
  EXPECT_EQ(o.choice, "function");
  EXPECT_EQ(o.name, "ping");
  EXPECT_FALSE(o.parallel);
  EXPECT_FALSE(parse_tools(Json::object()).any());
}

TEST(ToolCalls, BadShapesNameTheirField) {
  EXPECT_EQ(param_of(Json::parse(R"({"tools": 3})")), "tools");
  EXPECT_EQ(param_of(Json::parse(R"({"tools": [{"type": "code"}]})")), "tools[0]");
  EXPECT_EQ(param_of(Json::parse(R"({"tools": [{"type": 7, "function": {"name": "f"}}]})")), "tools[0]");
  EXPECT_EQ(param_of(body(R"(, "tool_choice": {"type": ["function"]})")), "tool_choice");
  EXPECT_EQ(param_of(Json::parse(R"({"tools": [{"type": "function", "function": {"name": ""}}]})")),
            "tools[0].function.name");
  EXPECT_EQ(param_of(Json::parse(R"({"tools": [{"type": "function", "function": {"name": "f", "extra": 1}}]})")),
            "tools[0].function.extra");
  EXPECT_EQ(param_of(Json::parse(R"({"tools": [{"type": "function", "function": {"name": "f",
                                  "parameters": {"type": "string", "format": "uri"}}}]})")),
            "tools[0].function.parameters");
  EXPECT_EQ(param_of(body(R"(, "tool_choice": "sometimes")")), "tool_choice");
  EXPECT_EQ(param_of(body(R"(, "tool_choice": {"type": "function", "function": {"name": "gone"}})")), "tool_choice");
  EXPECT_EQ(param_of(Json::parse(R"({"tool_choice": "required"})")), "tool_choice");
  EXPECT_EQ(param_of(body(R"(, "parallel_tool_calls": 1)")), "parallel_tool_calls");
  EXPECT_EQ(param_of(Json::parse(R"({"functions": []})")), "functions");
}

TEST(ToolCalls, ForcedCallsCompileForOneToolOrAny) {
  EXPECT_NE(tool_call_grammar(parse_tools(body(R"(, "tool_choice": "required")"))), nullptr);
  const char* named = R"(, "tool_choice": {"type": "function", "function": {"name": "get_weather"}})";
  EXPECT_NE(tool_call_grammar(parse_tools(body(named))), nullptr);
}

TEST(ToolCalls, EarlierCallsReachTemplatesWithObjectArguments) {
  Json calls = Json::parse(
      R"([{"id": "c1", "type": "function",
           "function": {"name": "get_weather", "arguments": "{\"city\": \"Oslo\", \"unit\": \"c\"}"}}])");
  Json out = template_tool_calls(calls, "messages[1].tool_calls");
  EXPECT_EQ(out[0]["function"]["arguments"], Json::parse(R"({"city": "Oslo", "unit": "c"})"));
  EXPECT_EQ(out[0]["function"]["arguments"].begin().key(), "city");  // the caller's order
  EXPECT_EQ(out[0]["id"], "c1");
  calls[0]["id"] = 5;
  EXPECT_THROW(template_tool_calls(calls, "m"), ApiError);
  calls[0]["id"] = "c1";
  calls[0]["function"]["arguments"] = "[1]";
  try {
    template_tool_calls(calls, "messages[1].tool_calls");
    FAIL() << "arguments that are not an object were accepted";
  } catch (const ApiError& e) {
    EXPECT_EQ(e.param, "messages[1].tool_calls[0].function.arguments");
  }
}

TEST(ToolCalls, AnswersAForcedCallAsToolCalls) {
  ToolOptions o = parse_tools(body(R"(, "tool_choice": "required")"));
  std::string finish = "stop";
  nlohmann::json m = answer_message(o, R"({"name": "get_weather", "arguments": {"city": "Oslo", "unit": "f"}})",
                                    "call_1", finish);
  EXPECT_EQ(finish, "tool_calls");
  EXPECT_TRUE(m["content"].is_null());
  EXPECT_EQ(m["tool_calls"][0]["id"], "call_1");
  EXPECT_EQ(m["tool_calls"][0]["function"]["name"], "get_weather");
  EXPECT_EQ(m["tool_calls"][0]["function"]["arguments"], R"({"city":"Oslo","unit":"f"})");
}

TEST(ToolCalls, AutoFindsACompleteBlockInText) {
  ToolOptions o = parse_tools(body(""));
  std::string finish = "stop";
  EXPECT_EQ(answer_message(o, "Let me look.\n<tool_call>\n{\"name\": \"ping\", \"arguments\": {}}\n</tool_call>",
                           "call_2", finish)["tool_calls"][0]["function"]["name"],
            "ping");
  EXPECT_EQ(finish, "tool_calls");
  finish = "length";
  EXPECT_EQ(answer_message(o, "<tool_call>\n{\"name\": \"ping\"", "call_3", finish)["content"],
            "<tool_call>\n{\"name\": \"ping\"");
  EXPECT_EQ(finish, "length");
  EXPECT_FALSE(answer_message(o, "<tool_call>{\"name\": \"nope\", \"arguments\": {}}</tool_call>", "c", finish)
                   .contains("tool_calls"));
  o.choice = "none";
  EXPECT_FALSE(answer_message(o, "<tool_call>{\"name\": \"ping\", \"arguments\": {}}</tool_call>", "c", finish)
                   .contains("tool_calls"));
}

}  // namespace
}  // namespace lmc::tools

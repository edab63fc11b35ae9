// tools/serve/tool_calls/tool_calls.h: a request's tools and tool_choice, the schema a forced call is
// decoded under, earlier calls as templates read them, and the answer's tool_calls.
#include "tools/serve/tool_calls/tool_calls.h"

#include <gtest/gtest.h>

#include "jinja/template.h"
#include "lmc_test_paths.h"
#include "structured/json_matcher.h"
#include "support/regular_file.h"
#include "tools/serve/request/serve_request.h"
#include "tools/serve/tool_calls/answer_message.h"

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
                                  "parameters": {"type": "strin"}}}]})")),
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
  nlohmann::json m =
      answer_message(o, R"({"name": "get_weather", "arguments": {"city": "Oslo", "unit": "f"}})", "call_1", finish);
  EXPECT_EQ(finish, "tool_calls");
  EXPECT_TRUE(m["content"].is_null());
  EXPECT_EQ(m["tool_calls"][0]["id"], "call_1");
  EXPECT_EQ(m["tool_calls"][0]["function"]["name"], "get_weather");
  EXPECT_EQ(m["tool_calls"][0]["function"]["arguments"], R"({"city": "Oslo", "unit": "f"})");  // as written
}

TEST(ToolCalls, AutoFindsACompleteBlockInText) {
  ToolOptions o = parse_tools(body(""));
  std::string finish = "stop";
  EXPECT_EQ(answer_message(o, "Let me look.\n<tool_call>\n{\"name\": \"ping\", \"arguments\": {}}\n</tool_call>",
                           "call_2", finish)["tool_calls"][0]["function"]["name"],
            "ping");
  EXPECT_EQ(finish, "tool_calls");
  finish = "length";
  EXPECT_EQ(answer_message(o, "<tool_call>\n{\"name\": \"ping\"", "call_3", finish, true)["content"],
            "<tool_call>\n{\"name\": \"ping\"");
  EXPECT_EQ(finish, "length");
  EXPECT_FALSE(answer_message(o, "<tool_call>{\"name\": \"nope\", \"arguments\": {}}</tool_call>", "c", finish)
                   .contains("tool_calls"));
  o.choice = "none";
  EXPECT_FALSE(answer_message(o, "<tool_call>{\"name\": \"ping\", \"arguments\": {}}</tool_call>", "c", finish)
                   .contains("tool_calls"));
}

// The family form of a template given as its source.
std::string form_of(const std::string& source) {
  const jinja::Template parsed(source, "t.jinja");
  return std::string(tool_call_format_for(&parsed).family);
}

TEST(ToolCalls, TheFormIsTheTemplateFamilys) {
  EXPECT_EQ(tool_call_format_for(nullptr).family, "Hermes");  // a family fallback is taught Hermes
  EXPECT_EQ(form_of("{{ messages }}"), "Hermes");
  EXPECT_EQ(form_of("{% if tools %}<tool_call>{% endif %}"), "Hermes");
  EXPECT_EQ(form_of("{% if tools %}[AVAILABLE_TOOLS]{% endif %}[TOOL_CALLS]"), "Mistral");
  EXPECT_EQ(form_of("{{ tools }} {\"name\": function name, \"parameters\": ...}"), "Llama 3 JSON");
  EXPECT_EQ(form_of("{{ tools }}{{ '<|python_tag|>' + call }}"), "Llama 3 JSON");
  EXPECT_EQ(form_of("[TOOL_CALLS] without reading the list"), "Hermes");
  // Only the variable counts, and only the text the template holds, not its comments.
  EXPECT_EQ(form_of("{# tools #}{{ tools_in_user_message }}[TOOL_CALLS]"), "Hermes");
  EXPECT_EQ(form_of("{% set tools = [] %}{{ tools }}[TOOL_CALLS]"), "Hermes");
  EXPECT_EQ(form_of("{{ tools }}{# [TOOL_CALLS] #}"), "Hermes");
}

TEST(ToolCalls, ATemplateRendersToolsWhenItReadsThem) {
  EXPECT_FALSE(renders_tools(nullptr));
  const jinja::Template reads("{{ tools[0].function.name }}", "t"),
      binds("{% for tools in x %}{{ tools }}{% endfor %}", "t");
  EXPECT_TRUE(renders_tools(&reads));
  EXPECT_FALSE(renders_tools(&binds));
}

// Real models' templates (the Jinja fuzzer's corpus): Llama 3.1's own, Qwen's and Hermes's
// <tool_call>; Mistral's v3, which never reads tools, is taught Hermes.
TEST(ToolCalls, RealTemplatesGetTheirFamilysForm) {
  const auto form = [](const std::string& path) {
    return form_of(read_regular_file(std::string(LMC_SOURCE_DIR) + "/tests/" + path));
  };
  EXPECT_EQ(form("fuzz/corpus/jinja/llama3.1-tools.jinja"), "Llama 3 JSON");
  EXPECT_EQ(form("fuzz/corpus/jinja/qwen2.5-tools.jinja"), "Hermes");
  EXPECT_EQ(form("fuzz/corpus/jinja/qwen3.jinja"), "Hermes");
  EXPECT_EQ(form("fuzz/corpus/jinja/hermes-tools.jinja"), "Hermes");
  EXPECT_EQ(form("models/chat_templates/mistral-v3.jinja"), "Hermes");
  EXPECT_EQ(form("models/chat_templates/smollm2.jinja"), "Hermes");
}

// Whether `text` is JSON the forced-call grammar of `o` allows.
bool allowed(const ToolOptions& o, const std::string& text) {
  auto g = tool_call_grammar(o);
  structured::Matcher m(*g);
  structured::State s = m.start();
  return m.feed(s, text) && m.complete(s);
}

TEST(ToolCalls, Llama3CallsAreTheAnswersJsonWithParameters) {
  ToolOptions o = parse_tools(body(R"(, "tool_choice": "required")"), kLlama3Calls);
  const std::string call = R"({"name": "get_weather", "parameters": {"city": "Oslo", "unit": "c"}})";
  EXPECT_TRUE(allowed(o, call));
  EXPECT_FALSE(allowed(o, R"({"name": "get_weather", "arguments": {"city": "Oslo", "unit": "c"}})"));
  std::string finish = "stop";
  nlohmann::json m = answer_message(o, call, "call_1", finish);
  EXPECT_EQ(finish, "tool_calls");
  EXPECT_EQ(m["tool_calls"][0]["function"]["arguments"], R"({"city": "Oslo", "unit": "c"})");
  o = parse_tools(body(""), kLlama3Calls);
  finish = "stop";
  EXPECT_EQ(answer_message(o, "<|python_tag|>{\"name\": \"ping\", \"parameters\": {}}", "c",
                           finish)["tool_calls"][0]["function"]["name"],
            "ping");
  for (const char* text : {"Hello there.", "{\"name\": \"ping\", \"parameters\": ", "Sure: {\"name\": \"ping\"}",
                           "{\"name\": \"ping\", \"arguments\": {}}", "[{\"name\": \"ping\", \"parameters\": {}}]"}) {
    finish = "stop";
    EXPECT_EQ(answer_message(o, text, "c", finish)["content"], text);
    EXPECT_EQ(finish, "stop");
  }
}

// Llama 3.2 joins several calls with ';' (as vLLM's and SGLang's Llama readers take them).
TEST(ToolCalls, Llama3CallsJoinedBySemicolonsAreSeveral) {
  const std::string ping = R"({"name": "ping", "parameters": {}})";
  const std::string two = ping + R"(; {"name": "get_weather", "parameters": {"city": "Oslo"}})";
  std::string finish = "stop";
  for (const std::string& text : {two, "<|python_tag|>" + two, ping + " ;\n" + two}) {
    nlohmann::json m = answer_message(parse_tools(body(""), kLlama3Calls), text, "c", finish);
    ASSERT_TRUE(m["tool_calls"].is_array()) << text;
    const nlohmann::json& calls = m["tool_calls"];
    EXPECT_EQ(calls[0]["function"]["name"], "ping");
    EXPECT_EQ(calls.back()["function"]["arguments"], R"({"city": "Oslo"})");
    EXPECT_EQ(calls.back()["id"], calls.size() == 3 ? "c_2" : "c_1");
  }
  nlohmann::json one =
      answer_message(parse_tools(body(R"(, "parallel_tool_calls": false)"), kLlama3Calls), two, "c", finish);
  ASSERT_EQ(one["tool_calls"].size(), 1u);
  EXPECT_EQ(one["tool_calls"][0]["function"]["name"], "ping");
  EXPECT_EQ(
      answer_message(parse_tools(body(R"(, "tool_choice": "required")"), kLlama3Calls), two, "c", finish)["tool_calls"]
          .size(),
      2u);
  for (const std::string& text :
       {two + ";", two + "; and more", ping + " " + ping, ping + R"(; {"name": "nope", "parameters": {}})"}) {
    finish = "stop";
    EXPECT_EQ(answer_message(parse_tools(body(""), kLlama3Calls), text, "c", finish)["content"], text);
    EXPECT_EQ(finish, "stop");
  }
}

TEST(ToolCalls, MistralCallsAreOneArrayOfSeveral) {
  ToolOptions o = parse_tools(body(R"(, "tool_choice": "required")"), kMistralCalls);
  const std::string two =
      R"([{"name": "get_weather", "arguments": {"city": "Oslo", "unit": "c"}}, {"name": "ping", "arguments": {}}])";
  EXPECT_TRUE(allowed(o, two));
  EXPECT_FALSE(allowed(o, "[]"));
  std::string finish = "stop";
  nlohmann::json m = answer_message(o, two, "call_1", finish);
  EXPECT_EQ(finish, "tool_calls");
  ASSERT_EQ(m["tool_calls"].size(), 2u);
  EXPECT_EQ(m["tool_calls"][0]["id"], "call_1");
  EXPECT_EQ(m["tool_calls"][1]["id"], "call_1_1");
  EXPECT_EQ(m["tool_calls"][1]["function"]["name"], "ping");
  o = parse_tools(body(R"(, "tool_choice": "required", "parallel_tool_calls": false)"), kMistralCalls);
  EXPECT_FALSE(allowed(o, two));
  EXPECT_TRUE(allowed(o, R"([{"name": "ping", "arguments": {}}])"));
  o = parse_tools(body(""), kMistralCalls);
  EXPECT_EQ(answer_message(o, "[TOOL_CALLS]" + two, "c", finish)["tool_calls"].size(), 2u);
  for (const char* text : {"No call.", "[TOOL_CALLS][{\"name\": \"ping\", \"arguments\": {}}",
                           "[TOOL_CALLS]{\"name\": \"ping\", \"arguments\": {}}",
                           "[TOOL_CALLS][{\"name\": \"nope\", \"arguments\": {}}]"}) {
    finish = "stop";
    EXPECT_EQ(answer_message(o, text, "c", finish)["content"], text);
    EXPECT_EQ(finish, "stop");
  }
  finish = "length";  // cut before the array's end: the calls begun (test_tool_call_stream.cpp)
  EXPECT_EQ(
      answer_message(o, "[TOOL_CALLS][{\"name\": \"ping\", \"arguments\": {}}", "c", finish, true)["tool_calls"].size(),
      1u);
  EXPECT_EQ(finish, "length");
}

// Mistral's v3 vocabularies have [TOOL_CALLS] as a control token, which writes no text.
TEST(ToolCalls, ASilentOpeningLeavesTheJsonToMarkACall) {
  ToolCallFormat silent = kMistralCalls;
  silent.silent_open = true;
  const std::string two =
      R"([{"name": "ping", "arguments": {}}, {"name": "get_weather", "arguments": {"city": "Oslo"}}])";
  std::string finish;
  EXPECT_EQ(answer_message(parse_tools(body(""), silent), two, "c", finish)["tool_calls"].size(), 2u);
  EXPECT_EQ(answer_message(parse_tools(body(R"(, "tool_choice": "required")"), silent), two, "c", finish)["tool_calls"]
                .size(),
            2u);
  EXPECT_EQ(answer_message(parse_tools(body(""), silent), "[1, 2]", "c", finish)["content"], "[1, 2]");
  structured::JsonTrigger t = tool_call_trigger(parse_tools(body(""), silent));
  EXPECT_EQ(t.text, "[{\"name\":");
  EXPECT_EQ(t.json_bytes, t.text.size());
}

TEST(ToolCalls, HermesBlocksAreSeveralCallsWhenParallel) {
  const std::string text =
      "<tool_call>\n{\"name\": \"ping\", \"arguments\": {}}\n</tool_call>\n"
      "<tool_call>\n{\"name\": \"get_weather\", \"arguments\": {\"city\": \"Rome\"}}\n</tool_call>";
  std::string finish;
  EXPECT_EQ(answer_message(parse_tools(body("")), text, "c", finish)["tool_calls"].size(), 2u);
  nlohmann::json one = answer_message(parse_tools(body(R"(, "parallel_tool_calls": false)")), text, "c", finish);
  ASSERT_EQ(one["tool_calls"].size(), 1u);
  EXPECT_EQ(one["tool_calls"][0]["function"]["name"], "ping");
  // Forced, the answer follows the opening the prompt ended with.
  ToolOptions forced = parse_tools(body(R"(, "tool_choice": "required")"));
  EXPECT_EQ(answer_message(forced, text.substr(std::string("<tool_call>\n").size()), "c", finish)["tool_calls"].size(),
            2u);
}

TEST(ToolCalls, TheCallsJsonSitsWhereTheFormPutsIt) {
  structured::JsonTrigger t = tool_call_trigger(parse_tools(body("")));
  EXPECT_EQ(t.text, "<tool_call>\n");
  EXPECT_EQ(t.close, "\n</tool_call>");
  EXPECT_EQ(t.again, "\n<tool_call>\n");  // a call may follow a call
  EXPECT_EQ(tool_call_trigger(parse_tools(body(R"(, "parallel_tool_calls": false)"))).again, "");
  t = tool_call_trigger(parse_tools(body(R"(, "tool_choice": "required")")));
  EXPECT_EQ(t.text, "");  // the prompt wrote the opening
  EXPECT_TRUE(t.any());
  EXPECT_FALSE(tool_call_trigger(parse_tools(body(R"(, "tool_choice": "required")"), kMistralCalls)).any());
  t = tool_call_trigger(parse_tools(body(""), kLlama3Calls));
  EXPECT_EQ(t.text, "{\"name\":");
  EXPECT_EQ(t.json_bytes, t.text.size());
  EXPECT_EQ(t.lead, "<|python_tag|>");  // a call after the tag written as text is decoded under the schema too
  EXPECT_EQ(t.close, "");
  EXPECT_EQ(t.again, "; ");  // a call may follow a call
  EXPECT_EQ(tool_call_trigger(parse_tools(body(R"(, "parallel_tool_calls": false)"), kLlama3Calls)).again, "");
  t = tool_call_trigger(parse_tools(body(R"(, "tool_choice": "required")"), kLlama3Calls));
  EXPECT_EQ(t.text, "");
  EXPECT_EQ(t.lead, "");
  EXPECT_EQ(t.again, "; ");
  EXPECT_EQ(tool_call_trigger(parse_tools(body(""))).lead, "");  // Hermes has no tag
}

}  // namespace
}  // namespace lmc::tools

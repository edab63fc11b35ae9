// tools/serve/tool_calls/tool_call_stream.h: a streamed answer that may be a tool call, as the deltas
// OpenAI streams, fed a few bytes at a time as tokens come.
#include "tools/serve/tool_calls/tool_call_stream.h"

#include <gtest/gtest.h>

#include <random>

#include "tools/lmc/generation/stop_strings.h"
#include "tools/serve/tool_calls/answer_message.h"
#include "tools/serve/tool_calls/json_extent.h"

namespace lmc::tools {
namespace {

using nlohmann::json;

ToolOptions tools(const char* choice, const ToolCallFormat& format = kHermesCalls) {
  return parse_tools(
      nlohmann::ordered_json::parse(std::string(R"({"tools": [{"type": "function", "function": {"name": "get_weather"}},
                                {"type": "function", "function": {"name": "ping"}}], "tool_choice": )") +
                                    choice + "}"),
      format);
}

// The answer in pieces of `n` bytes, and what the deltas add up to, as the openai client
// adds them: each call's name and arguments (by its index), or the content.
struct Streamed {
  std::vector<json> deltas;
  std::string name, arguments, content, finish = "stop";  // the first call's name and arguments
  json calls = json::array();  // every call: {"id", "name", "arguments"}
};

void add_call_delta(const json& call, json& calls) {
  const size_t i = call["index"].get<size_t>();
  ASSERT_LE(i, calls.size());  // calls come in order
  if (i == calls.size()) calls.push_back({{"id", call["id"]}, {"name", ""}, {"arguments", ""}});
  const json& f = call["function"];
  if (f.contains("name")) calls[i]["name"] = calls[i]["name"].get<std::string>() + f["name"].get<std::string>();
  calls[i]["arguments"] = calls[i]["arguments"].get<std::string>() + f["arguments"].get<std::string>();
}

// What the deltas add up to: the content, and each call by its index.
void add_up(Streamed& out) {
  for (const json& d : out.deltas) {
    if (d.contains("content")) out.content += d["content"].get<std::string>();
    if (d.contains("tool_calls")) add_call_delta(d["tool_calls"][0], out.calls);
  }
}

// `finish`: the generation's finish_reason, which the end may make "tool_calls".
Streamed stream(const ToolOptions& o, const std::string& answer, size_t n, const std::string& finish = "stop") {
  ToolCallStream s(o, "call_1");
  Streamed out;
  out.finish = finish;
  for (size_t i = 0; i < answer.size(); i += n)
    for (json& d : s.piece(answer.substr(i, n))) out.deltas.push_back(std::move(d));
  for (json& d : s.end(out.finish)) out.deltas.push_back(std::move(d));
  add_up(out);
  if (!out.calls.empty()) {
    out.name = out.calls[0]["name"];
    out.arguments = out.calls[0]["arguments"];
  }
  return out;
}

// What the streamed calls add up to is what the whole answer's message holds.
void expect_same_calls(const ToolOptions& o, const std::string& answer) {
  std::string finish = "stop";
  const json whole = answer_message(o, answer, "call_1", finish)["tool_calls"];
  ASSERT_TRUE(whole.is_array()) << answer;
  for (size_t n : {1, 2, 5, 300}) {
    Streamed s = stream(o, answer, n);
    EXPECT_EQ(s.finish, "tool_calls");
    EXPECT_EQ(s.content, "");
    ASSERT_EQ(s.calls.size(), whole.size()) << n;
    for (size_t i = 0; i < whole.size(); ++i) {
      EXPECT_EQ(s.calls[i]["id"], whole[i]["id"]);
      EXPECT_EQ(s.calls[i]["name"], whole[i]["function"]["name"]);
      EXPECT_EQ(s.calls[i]["arguments"], whole[i]["function"]["arguments"]) << n;
    }
  }
}

TEST(ToolCallStream, AForcedCallStreamsItsHeadThenItsArguments) {
  const std::string answer = R"({"name": "get_weather", "arguments": {"city": "Oslo", "unit": "c"}})";
  for (size_t n : {1, 3, 7, 200}) {
    Streamed s = stream(tools(R"("required")"), answer, n);
    EXPECT_EQ(s.name, "get_weather");
    EXPECT_EQ(s.arguments, R"({"city": "Oslo", "unit": "c"})") << n;
    EXPECT_EQ(s.content, "");
    EXPECT_EQ(s.finish, "tool_calls");
    EXPECT_EQ(s.deltas[0]["tool_calls"][0]["id"], "call_1");
    EXPECT_EQ(s.deltas[0]["tool_calls"][0]["type"], "function");
    EXPECT_EQ(s.deltas[0]["tool_calls"][0]["function"]["arguments"], "");
  }
  EXPECT_GT(stream(tools(R"("required")"), answer, 2).deltas.size(), 5u);  // arguments come in pieces
}

TEST(ToolCallStream, AutoStreamsACallAfterItsOpeningOrTextAsItComes) {
  Streamed call = stream(tools(R"("auto")"), "<tool_call>\n{\"name\":\"get_weather\",\"arguments\":{}}", 4);
  EXPECT_EQ(call.name, "get_weather");
  EXPECT_EQ(call.arguments, "{}");
  EXPECT_EQ(call.finish, "tool_calls");
  Streamed text = stream(tools(R"("auto")"), "It is sunny in Oslo.", 3);
  EXPECT_EQ(text.content, "It is sunny in Oslo.");
  EXPECT_GT(text.deltas.size(), 3u);  // streamed as it comes, not held
  EXPECT_EQ(text.finish, "stop");
  EXPECT_EQ(stream(tools(R"("auto")"), "<tool", 2).content, "<tool");  // an answer that stops short
}

TEST(ToolCallStream, Llama3CallsStreamFromTheirJsonOrTag) {
  expect_same_calls(tools(R"("required")", kLlama3Calls),
                    R"({"name": "get_weather", "parameters": {"city": "Oslo", "days": [1, {"x": "}"}]}})");
  expect_same_calls(tools(R"("auto")", kLlama3Calls), R"({"name":"ping","parameters":{}})");
  expect_same_calls(tools(R"("auto")", kLlama3Calls), R"(<|python_tag|>{"name": "ping", "parameters": {}})");
  Streamed text = stream(tools(R"("auto")", kLlama3Calls), "{\"a\": 1} is JSON.", 2);
  EXPECT_EQ(text.content, "{\"a\": 1} is JSON.");
  EXPECT_TRUE(text.calls.empty());
  EXPECT_EQ(stream(tools(R"("auto")", kLlama3Calls), "<|python", 3).content, "<|python");
}

TEST(ToolCallStream, Llama3CallsJoinedBySemicolonsStreamOneIndexEach) {
  const std::string two =
      R"({"name": "ping", "parameters": {}}; {"name": "get_weather", "parameters": {"city": "Oslo; Rome"}})";
  expect_same_calls(tools(R"("required")", kLlama3Calls), two);
  expect_same_calls(tools(R"("auto")", kLlama3Calls), two);
  expect_same_calls(tools(R"("auto")", kLlama3Calls), "<|python_tag|>" + two);
  expect_same_calls(tools(R"("auto")", kLlama3Calls),
                    R"({"name":"ping","parameters":{}} ;{"name":"ping","parameters":{}})");
  for (size_t n : {1, 3, 200}) {
    Streamed s = stream(tools(R"("auto")", kLlama3Calls), two, n);
    ASSERT_EQ(s.calls.size(), 2u) << n;
    EXPECT_EQ(s.calls[1]["id"], "call_1_1");
    EXPECT_EQ(s.calls[1]["arguments"], R"({"city": "Oslo; Rome"})");
  }
  Streamed one = stream(tools(R"("required", "parallel_tool_calls": false)", kLlama3Calls), two, 4);
  EXPECT_EQ(one.calls.size(), 1u);  // the constraint would have ended the answer after it
  Streamed after = stream(tools(R"("auto")", kLlama3Calls), R"({"name": "ping", "parameters": {}} and text)", 2);
  EXPECT_EQ(after.calls.size(), 1u);  // sent before the text came; the rest is no call
  EXPECT_EQ(after.content, "");
}

TEST(ToolCallStream, MistralCallsStreamOneIndexEach) {
  const std::string two =
      R"([{"name": "get_weather", "arguments": {"city": "Oslo"}}, {"name": "ping", "arguments": {}}])";
  expect_same_calls(tools(R"("required")", kMistralCalls), two);
  expect_same_calls(tools(R"("auto")", kMistralCalls), "[TOOL_CALLS]" + two);
  Streamed one = stream(tools(R"("required", "parallel_tool_calls": false)", kMistralCalls), two, 4);
  EXPECT_EQ(one.calls.size(), 1u);  // the grammar would have allowed no second call
  EXPECT_EQ(stream(tools(R"("auto")", kMistralCalls), "Oslo is sunny.", 3).content, "Oslo is sunny.");
  ToolCallFormat silent = kMistralCalls;  // its opening a control token, which writes no text
  silent.silent_open = true;
  expect_same_calls(tools(R"("auto")", silent), two);
  EXPECT_EQ(stream(tools(R"("auto")", silent), "[1, 2] are numbers.", 3).content, "[1, 2] are numbers.");
}

// Mistral's calls are one array after [TOOL_CALLS], streamed or whole: an object without
// the array is no call either way (an answer not decoded under the schema may write one).
TEST(ToolCallStream, AMistralCallOutsideItsArrayIsTextStreamedOrWhole) {
  const ToolOptions o = tools(R"("auto")", kMistralCalls);
  const std::string bare = R"([TOOL_CALLS]{"name": "ping", "arguments": {}})";
  for (size_t n : {1, 4, 100}) {
    Streamed s = stream(o, bare, n);
    EXPECT_TRUE(s.calls.empty()) << n;
    EXPECT_EQ(s.content, bare) << n;
    EXPECT_EQ(s.finish, "stop");
  }
  std::string finish = "stop";
  EXPECT_EQ(answer_message(o, bare, "call_1", finish)["content"], bare);
  expect_same_calls(o, R"([TOOL_CALLS] [ {"name": "ping", "arguments": {}} ,
{"name": "ping", "arguments": {}} ] )");
}

TEST(ToolCallStream, HermesBlocksStreamOneIndexEach) {
  const std::string blocks =
      "<tool_call>\n{\"name\": \"ping\", \"arguments\": {}}\n</tool_call>\n"
      "<tool_call>\n{\"name\": \"get_weather\", \"arguments\": {\"c\": 1}}\n</tool_call>";
  expect_same_calls(tools(R"("auto")"), blocks);
  expect_same_calls(tools(R"("required")"), blocks.substr(std::string(kHermesCalls.open).size()));
}

// The whole answer's message is what the stream's deltas add up to: its text, or its calls
// with the same ids, names and arguments, byte for byte (whole or cut where they came to),
// and the same finish_reason.
void expect_same_message(const json& whole, const std::string& whole_finish, const Streamed& s,
                         const std::string& text) {
  EXPECT_EQ(whole_finish, s.finish) << text;
  if (s.calls.empty()) {
    EXPECT_EQ(whole["content"], s.content) << text;
    EXPECT_FALSE(whole.contains("tool_calls")) << text;
    return;
  }
  EXPECT_TRUE(whole["content"].is_null()) << text;
  EXPECT_EQ(s.content, "") << text;
  ASSERT_EQ(whole["tool_calls"].size(), s.calls.size()) << text;
  for (size_t i = 0; i < s.calls.size(); ++i) {
    EXPECT_EQ(whole["tool_calls"][i]["id"], s.calls[i]["id"]) << text;
    EXPECT_EQ(whole["tool_calls"][i]["function"]["name"], s.calls[i]["name"]) << text;
    EXPECT_EQ(whole["tool_calls"][i]["function"]["arguments"], s.calls[i]["arguments"]) << text;
  }
}

// Answers of two calls in each form, as the model writes them: auto (after the trigger),
// forced (after the opening the prompt wrote), Mistral's with its silent opening too.
std::vector<std::pair<ToolOptions, std::string>> two_call_answers() {
  const std::string hermes =
      "<tool_call>\n{\"name\": \"ping\", \"arguments\": {}}\n</tool_call>\n"
      "<tool_call>\n{\"name\": \"get_weather\", \"arguments\": {\"c\": \"Pa}\"}}\n</tool_call>";
  const std::string llama = R"({"name": "ping", "parameters": {}}; {"name": "get_weather", "parameters": {"c": 1}})";
  const std::string mistral = R"([{"name": "ping", "arguments": {}}, {"name": "get_weather", "arguments": {"c": 1}}])";
  ToolCallFormat silent = kMistralCalls;
  silent.silent_open = true;
  return {
      {tools(R"("auto")"), hermes},
      {tools(R"("required")"), hermes.substr(kHermesCalls.open.size())},
      {tools(R"("auto")", kLlama3Calls), "<|python_tag|>" + llama},
      {tools(R"("required")", kLlama3Calls), llama},
      {tools(R"("auto")", kMistralCalls), "[TOOL_CALLS]" + mistral},
      {tools(R"("required")", kMistralCalls), mistral},
      {tools(R"("auto")", silent), mistral},
  };
}

// An answer the length limit cut, anywhere in its calls, reads the same streamed and whole:
// the calls begun, the last one's arguments as far as they came; finish_reason "length".
TEST(ToolCallStream, AnAnswerCutByTheLengthLimitIsTheSameStreamedOrWhole) {
  for (const auto& [o, answer] : two_call_answers()) {
    for (size_t cut = 0; cut < answer.size(); ++cut) {
      const std::string text = answer.substr(0, cut);
      std::string finish = "length";
      const json whole = answer_message(o, text, "call_1", finish, true);
      expect_same_message(whole, finish, stream(o, text, 3, "length"), text);
    }
  }
  // Cut inside its arguments, a forced call is the call with the arguments written so far.
  std::string finish = "length";
  const json cut = answer_message(tools(R"("required")"), R"({"name": "get_weather", "arguments": {"city": "Pa)",
                                  "call_1", finish, true);
  EXPECT_EQ(finish, "length");
  EXPECT_TRUE(cut["content"].is_null());
  ASSERT_EQ(cut["tool_calls"].size(), 1u);
  EXPECT_EQ(cut["tool_calls"][0]["function"]["name"], "get_weather");
  EXPECT_EQ(cut["tool_calls"][0]["function"]["arguments"], R"({"city": "Pa)");
  finish = "length";  // cut before its name: no call, its text
  const std::string before_name = "<tool_call>\n{\"na";
  EXPECT_EQ(answer_message(tools(R"("auto")"), before_name, "call_1", finish, true)["content"], before_name);
  finish = "stop";  // whole calls before the cut are still whole calls
  const std::string hermes = two_call_answers()[0].second;
  EXPECT_EQ(answer_message(tools(R"("auto")"), hermes, "call_1", finish)["tool_calls"].size(), 2u);
  EXPECT_EQ(finish, "tool_calls");
}

// The generation's text as lmc serve shows it, streamed and whole: the answer up to `cut`
// bytes (the length limit, unless the answer is all there), then through the stop strings
// (stop_strings.h), in pieces of `n` bytes; the stream gets each piece shown.
struct Generated {
  std::string text;  // all that was shown, which the whole answer is read from
  std::string finish = "stop";
  bool cut = false;  // the server ended it where the model had not
  Streamed streamed;
};

Generated generate(const ToolOptions& o, const std::string& answer, size_t cut, const std::string& stop, size_t n) {
  Generated g;
  StopStrings stops({stop});
  ToolCallStream s(o, "call_1");
  const auto show = [&](const std::string& shown) {
    g.text += shown;
    for (json& d : s.piece(shown)) g.streamed.deltas.push_back(std::move(d));
  };
  for (size_t i = 0; i < cut && !stops.stopped(); i += n) show(stops.push(answer.substr(i, std::min(n, cut - i))));
  show(stops.flush());
  g.cut = stops.stopped() || cut < answer.size();
  g.finish = stops.stopped() || cut == answer.size() ? "stop" : "length";
  g.streamed.finish = g.finish;
  for (json& d : s.end(g.streamed.finish)) g.streamed.deltas.push_back(std::move(d));
  add_up(g.streamed);
  return g;
}

void expect_generated_alike(const ToolOptions& o, const std::string& answer, size_t cut, const std::string& stop,
                            size_t n) {
  Generated g = generate(o, answer, cut, stop, n);
  std::string finish = g.finish;
  const json whole = answer_message(o, g.text, "call_1", finish, g.cut);
  expect_same_message(whole, finish, g.streamed,
                      g.text + " (stop '" + stop + "', pieces of " + std::to_string(n) + ")");
}

// A stop string cuts an answer as the length limit does: what the stream sent before it is
// the whole answer's message (finish_reason "stop").
TEST(ToolCallStream, AnAnswerCutByAStopStringIsTheSameStreamedOrWhole) {
  for (const auto& [o, answer] : two_call_answers())
    for (size_t at = 0; at < answer.size(); ++at)
      for (size_t length : {1, 2, 5}) expect_generated_alike(o, answer, answer.size(), answer.substr(at, length), 3);
  // Cut inside its arguments: the call with the arguments written so far.
  const ToolOptions forced = tools(R"("required")");
  const std::string call = R"({"name": "get_weather", "arguments": {"city": "Oslo", "unit": "c"}})";
  Generated g = generate(forced, call, call.size(), R"("unit")", 4);
  std::string finish = g.finish;
  const json whole = answer_message(forced, g.text, "call_1", finish, g.cut);
  EXPECT_EQ(finish, "stop");
  ASSERT_TRUE(whole["tool_calls"].is_array()) << whole;
  EXPECT_EQ(whole["tool_calls"][0]["function"]["arguments"], R"({"city": "Oslo", )");
}

// For each form, at random cuts, with random stop strings (or none) in random pieces, the
// streamed deltas add up to the whole answer's message.
TEST(ToolCallStream, AnyCutReadsTheSameStreamedOrWhole) {
  std::mt19937 random(51);
  for (const auto& [o, answer] : two_call_answers()) {
    for (int i = 0; i < 300; ++i) {
      const size_t cut = random() % (answer.size() + 1), at = random() % answer.size();
      const std::string stop = random() % 3 == 0 ? "" : answer.substr(at, 1 + random() % 4);
      expect_generated_alike(o, answer, cut, stop, 1 + random() % 8);
    }
  }
}

TEST(ToolCallStream, ACallToAToolNotOfferedIsText) {
  const std::string text = R"(<tool_call>
{"name": "nope", "arguments": {}})";
  Streamed s = stream(tools(R"("auto")"), text, 4);
  EXPECT_TRUE(s.calls.empty());
  EXPECT_EQ(s.content, text);
}

TEST(ToolCallStream, MalformedCallsAreTextNotACrash) {
  for (const ToolCallFormat* f : {&kHermesCalls, &kLlama3Calls, &kMistralCalls}) {
    const std::string open(f->trigger());
    for (const std::string& rest : {std::string("\"oops"), std::string("[1, 2"), std::string("{\"name\": 3, \"x\": }"),
                                    std::string("}}]]\"\\"), std::string("\"ping\", \"arguments\": \"{\"}")}) {
      for (size_t n : {1, 4}) {
        Streamed s = stream(tools(R"("auto")", *f), open + rest, n);
        EXPECT_NE(s.finish, "tool_calls") << f->family << ": " << rest;
        EXPECT_EQ(s.content, open + rest) << f->family << ": " << rest;
      }
    }
  }
}

// Under auto with a keyword the grammar leaves out (a lookahead), calls wait for their check:
// no call delta before the answer ends, then the calls as a whole answer reads them, or,
// when one fails its tool's schema, the answer as text; cut anywhere, the same both ways.
ToolOptions checked(const ToolCallFormat& format = kHermesCalls) {
  return parse_tools(nlohmann::ordered_json::parse(R"({"tools": [{"type": "function", "function": {
      "name": "get_weather", "parameters": {"type": "object", "properties": {
          "city": {"type": "string", "pattern": "^(?=[A-Z])[A-Z][a-z]+$"}}, "required": ["city"]}}},
      {"type": "function", "function": {"name": "ping"}}]})"),
                     format);
}

TEST(ToolCallStream, CheckedCallsWaitForTheirCheck) {
  const std::string good =
      "<tool_call>\n{\"name\": \"ping\", \"arguments\": {}}\n</tool_call>\n"
      "<tool_call>\n{\"name\": \"get_weather\", \"arguments\": {\"city\": \"Paris\"}}\n</tool_call>";
  std::string bad = good;
  bad.replace(bad.find("Paris"), 5, "paris");
  const ToolOptions o = checked();
  ToolCallStream s(o, "call_1");
  for (size_t i = 0; i < good.size(); i += 3) EXPECT_TRUE(s.piece(good.substr(i, 3)).empty()) << i;
  expect_same_calls(o, good);
  Streamed text = stream(o, bad, 3);
  EXPECT_TRUE(text.calls.empty());
  EXPECT_EQ(text.content, bad);
  EXPECT_EQ(text.finish, "stop");
  std::string finish = "stop";
  EXPECT_EQ(answer_message(o, bad, "call_1", finish)["content"], bad);
  std::mt19937 random(68);
  for (const std::string& answer : {good, bad})
    for (int i = 0; i < 300; ++i) {
      const size_t cut = random() % (answer.size() + 1), at = random() % answer.size();
      const std::string stop = random() % 3 == 0 ? "" : answer.substr(at, 1 + random() % 4);
      expect_generated_alike(o, answer, cut, stop, 1 + random() % 8);
    }
  // Text that is no call streams as it comes.
  EXPECT_GT(stream(o, "Hello there, how are you?", 3).deltas.size(), 3u);
}

// The arguments are the bytes the model wrote, whole or streamed: spaces, escapes and numbers
// as written, where a parser would write {"passenger":{"name":"Zoé",...}.
TEST(ToolCallStream, ArgumentsAreTheBytesWrittenWholeOrStreamed) {
  const std::string args = R"({"passenger": {"name": "Zo\u00e9", "age": 1.50e1}, "seats": [1, 2]})";
  for (const auto& [o, answer] :
       {std::pair(tools(R"("required")"), R"({"name": "get_weather", "arguments": )" + args + "}"),
        std::pair(tools(R"("auto")"), "<tool_call>\n{\"name\": \"get_weather\", \"arguments\":" + args + "}")}) {
    std::string finish = "stop";
    EXPECT_EQ(answer_message(o, answer, "call_1", finish)["tool_calls"][0]["function"]["arguments"], args);
    for (size_t n : {1, 3, 7}) EXPECT_EQ(stream(o, answer, n).arguments, args) << n;
  }
}

TEST(ToolCallStream, AMembersValueIsFoundByItsKey) {
  EXPECT_EQ(member_value(R"({"name": "f", "arguments": {"a": "}"}})", "arguments"), R"({"a": "}"})");
  EXPECT_EQ(member_value(R"({ "x" : [1, {"arguments": 2}] , "arguments" :3 })", "arguments"), "3");
  EXPECT_EQ(member_value(R"({"argu\u006dents": true})", "arguments"), "true");
  EXPECT_EQ(member_value(R"({"a": "x\"arguments\": 1"})", "arguments"), "");
  EXPECT_EQ(member_value("[1]", "a"), "");
  EXPECT_EQ(member_value(R"({"a": )", "a"), "");
}

}  // namespace
}  // namespace lmc::tools

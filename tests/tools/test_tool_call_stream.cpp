// tools/serve/tool_call_stream.h: a streamed answer that may be a tool call, as the deltas
// OpenAI streams, fed a few bytes at a time as tokens come.
#include "tools/serve/tool_call_stream.h"

#include <gtest/gtest.h>

namespace lmc::tools {
namespace {

using nlohmann::json;

ToolOptions tools(const char* choice) {
  return parse_tools(nlohmann::ordered_json::parse(
      std::string(R"({"tools": [{"type": "function", "function": {"name": "get_weather"}}], "tool_choice": )") +
      choice + "}"));
}

// The answer in pieces of `n` bytes, and what the deltas add up to: the call's name and
// arguments, or the content.
struct Streamed {
  std::vector<json> deltas;
  std::string name, arguments, content, finish = "stop";
};

Streamed stream(const ToolOptions& o, const std::string& answer, size_t n) {
  ToolCallStream s(o, "call_1");
  Streamed out;
  for (size_t i = 0; i < answer.size(); i += n)
    for (json& d : s.piece(answer.substr(i, n))) out.deltas.push_back(std::move(d));
  for (json& d : s.end(out.finish)) out.deltas.push_back(std::move(d));
  for (const json& d : out.deltas) {
    if (d.contains("content")) out.content += d["content"].get<std::string>();
    if (!d.contains("tool_calls")) continue;
    const json& f = d["tool_calls"][0]["function"];
    if (f.contains("name")) out.name += f["name"].get<std::string>();
    out.arguments += f["arguments"].get<std::string>();
  }
  return out;
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

}  // namespace
}  // namespace lmc::tools

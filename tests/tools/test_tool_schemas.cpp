// tools/serve/tool_calls.h: a tool's parameters as the JSON schema document they are,
// wherever lmc embeds them: Pydantic's "$defs" and "#/$defs/..." references and a recursive
// "#" read in the tool's own schema under "required", a named function and "auto".
#include <gtest/gtest.h>

#include "structured/json_matcher.h"
#include "tools/serve/serve_request.h"
#include "tools/serve/tool_calls.h"

namespace lmc::tools {
namespace {

using Json = nlohmann::ordered_json;

// A tool as Pydantic writes a model's schema: the nested model in $defs, referred to.
const char* kBookFlight = R"({"type": "function", "function": {"name": "book_flight", "parameters": {
    "$defs": {"Address": {"type": "object", "title": "Address",
                          "properties": {"city": {"type": "string"}, "zip": {"type": "string"}},
                          "required": ["city"]}},
    "type": "object", "title": "Booking",
    "properties": {"passenger": {"type": "object", "properties": {
                       "name": {"type": "string"}, "home": {"$ref": "#/$defs/Address"}},
                       "required": ["name", "home"]},
                   "to": {"$ref": "#/$defs/Address", "description": "where to"}},
    "required": ["passenger", "to"]}}})";

// A tree whose children are trees: "#" is the tool's parameters.
const char* kTree = R"({"type": "function", "function": {"name": "make_tree", "parameters": {
    "type": "object", "properties": {"label": {"type": "string", "maxLength": 8},
                                     "children": {"type": "array", "items": {"$ref": "#"}, "maxItems": 3}},
    "required": ["label", "children"]}}})";

Json request(const std::string& choice) {
  return Json::parse(std::string(R"({"tools": [)") + kBookFlight + ", " + kTree + R"(], "tool_choice": )" + choice +
                     "}");
}

// Whether `text` is JSON the call grammar of `o` allows, whole.
bool allowed(const ToolOptions& o, const std::string& text) {
  auto g = tool_call_grammar(o);
  structured::Matcher m(*g);
  structured::State s = m.start();
  return m.feed(s, text) && m.complete(s);
}

const std::string kFlightCall = R"({"name": "book_flight", "arguments": {"passenger": {"name": "Ann", "home": )"
                                R"({"city": "Oslo"}}, "to": {"city": "Rome", "zip": "00100"}}})";
const std::string kTreeCall = R"({"name": "make_tree", "arguments": {"label": "a", "children": [)"
                              R"({"label": "b", "children": []}, {"label": "c", "children": [)"
                              R"({"label": "d", "children": []}]}]}})";

TEST(ToolSchemas, ReferencesAreReadInTheToolsOwnSchema) {
  for (const char* choice :
       {R"("required")", R"("auto")", R"({"type": "function", "function": {"name": "book_flight"}})"}) {
    const ToolOptions o = parse_tools(request(choice));
    EXPECT_TRUE(allowed(o, kFlightCall)) << choice;
    // The referred-to Address requires its city.
    EXPECT_FALSE(allowed(o, R"({"name": "book_flight", "arguments": {"passenger": {"name": "Ann", "home": {}}, )"
                            R"("to": {"city": "Rome"}}})"))
        << choice;
  }
}

TEST(ToolSchemas, ARecursiveToolsHashIsItsParameters) {
  const ToolOptions o = parse_tools(request(R"({"type": "function", "function": {"name": "make_tree"}})"));
  EXPECT_TRUE(allowed(o, kTreeCall));
  // A child shaped like the call around the arguments is not a tree.
  EXPECT_FALSE(allowed(o, R"({"name": "make_tree", "arguments": {"label": "a", "children": [)"
                          R"({"name": "make_tree", "arguments": {"label": "b", "children": []}}]}})"));
  EXPECT_TRUE(allowed(parse_tools(request(R"("required")")), kTreeCall));
}

// Mistral's calls are an array of them: the parameters sit deeper, and still refer alike.
TEST(ToolSchemas, ReferencesHoldInEveryForm) {
  const ToolOptions mistral = parse_tools(request(R"("required")"), kMistralCalls);
  EXPECT_TRUE(allowed(mistral, "[" + kTreeCall + ", " + kFlightCall + "]"));
  const ToolOptions llama = parse_tools(request(R"("required")"), kLlama3Calls);
  std::string parameters = kTreeCall;
  parameters.replace(parameters.find("\"arguments\""), 11, "\"parameters\"");
  EXPECT_TRUE(allowed(llama, parameters));
}

TEST(ToolSchemas, AReferenceThatNamesNothingIsRefusedAtTheTool) {
  const Json body = Json::parse(R"({"tools": [{"type": "function", "function": {"name": "f", "parameters": {
      "type": "object", "properties": {"a": {"$ref": "#/$defs/missing"}}}}}]})");
  try {
    parse_tools(body);
    FAIL() << "a reference to nothing was accepted";
  } catch (const ApiError& e) {
    EXPECT_EQ(e.param, "tools[0].function.parameters");
    EXPECT_NE(std::string(e.what()).find("/properties/a/$ref"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace lmc::tools

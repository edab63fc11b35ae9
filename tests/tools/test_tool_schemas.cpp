// tools/serve/tool_calls/tool_calls.h: a tool's parameters as the JSON schema document they are,
// wherever lmc embeds them: Pydantic's "$defs" and "#/$defs/..." references and a recursive
// "#" read in the tool's own schema under "required", a named function and "auto". And
// the keywords the call grammar cannot hold: no reason to refuse a request; under "auto" a
// call is checked against its tool's schema once whole, a forced one taken as decoded, but
// for a pattern outside the regular subset, which refuses a call forced to its tool.
#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <vector>

#include "structured/json_matcher.h"
#include "tools/serve/request/serve_request.h"
#include "tools/serve/tool_calls/answer_message.h"
#include "tools/serve/tool_calls/tool_calls.h"

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

// The field and the message of the 400 a request's tools get, or "(accepted)".
std::pair<std::string, std::string> refusal(const Json& body) {
  try {
    parse_tools(body);
  } catch (const ApiError& e) {
    return {e.param, e.what()};
  }
  return {"(accepted)", ""};
}

TEST(ToolSchemas, AReferenceThatNamesNothingIsRefusedAtTheTool) {
  const auto [param, message] = refusal(Json::parse(R"({"tools": [{"type": "function", "function": {"name": "f",
      "parameters": {"type": "object", "properties": {"a": {"$ref": "#/$defs/missing"}}}}}]})"));
  EXPECT_EQ(param, "tools[0].function.parameters");
  EXPECT_NE(message.find("/properties/a/$ref"), std::string::npos) << message;
}

// Bounds, a format and a pattern the grammar holds; uniqueItems it cannot.
const char* kSearch = R"({"type": "function", "function": {"name": "search_flights", "parameters": {
    "type": "object", "properties": {"from": {"type": "string", "pattern": "^[A-Z]{3}$"},
                                     "date": {"type": "string", "format": "date"},
                                     "seats": {"type": "integer", "minimum": 1, "maximum": 9},
                                     "stops": {"type": "array", "items": {"type": "string"}, "uniqueItems": true}},
    "required": ["from", "date", "seats"]}}})";

ToolOptions search(const std::string& choice) {
  return parse_tools(Json::parse(std::string(R"({"tools": [)") + kSearch + R"(], "tool_choice": )" + choice + "}"));
}

std::string search_call(const char* from, const char* date, const char* seats) {
  return std::string(R"({"name": "search_flights", "arguments": {"from": ")") + from + R"(", "date": ")" + date +
         R"(", "seats": )" + seats + "}}";
}

TEST(ToolSchemas, AKeywordTheGrammarCannotHoldRefusesNoRequest) {
  const std::pair<std::string, std::string> unique = {"search_flights",
                                                      "tools[0].function.parameters/properties/stops/uniqueItems"};
  for (const char* choice :
       {R"("none")", R"("auto")", R"("required")", R"({"type": "function", "function": {"name": "search_flights"}})"}) {
    const ToolOptions o = search(choice);
    ASSERT_EQ(o.left_out.size(), 1u) << choice;
    EXPECT_EQ(o.left_out[0], unique);
  }
  EXPECT_TRUE(left_out_notes(search(R"("none")")).empty());
  const std::vector<std::string> forced = left_out_notes(search(R"("required")"));
  ASSERT_EQ(forced.size(), 1u);
  EXPECT_NE(forced[0].find("properties/stops/uniqueItems is not kept while a call is decoded"), std::string::npos);
  EXPECT_NE(left_out_notes(search(R"("auto")"))[0].find("checked once a call is whole"), std::string::npos);
  // The bounds, the format and the pattern are the grammar's.
  const ToolOptions o = search(R"("required")");
  EXPECT_TRUE(allowed(o, search_call("OSL", "2024-05-01", "2")));
  for (const std::string& bad : {search_call("Oslo", "2024-05-01", "9"), search_call("OSL", "2024-05-01", "0"),
                                 search_call("OSL", "2024-05-01", "-1"), search_call("OSL", "2024-05-01", "10"),
                                 search_call("OSL", "May 1st", "2"), search_call("OSL", "2023-02-29", "2")})
    EXPECT_FALSE(allowed(o, bad)) << bad;
}

TEST(ToolSchemas, UnderAutoACallThatFailsItsToolsSchemaIsText) {
  const ToolOptions o = search(R"("auto")");
  EXPECT_TRUE(o.checks_calls());
  EXPECT_FALSE(search(R"("required")").checks_calls());
  const std::string good = "<tool_call>\n" + search_call("OSL", "2024-05-01", "2") + "\n</tool_call>";
  const std::string bad = "<tool_call>\n" + search_call("Oslo", "2024-05-01", "2") + "\n</tool_call>";
  std::string finish = "stop";
  EXPECT_EQ(answer_message(o, good, "c", finish)["tool_calls"].size(), 1u);
  EXPECT_EQ(finish, "tool_calls");
  finish = "stop";
  EXPECT_EQ(answer_message(o, bad, "c", finish)["content"], bad);
  EXPECT_EQ(finish, "stop");
  // A forced call is taken as it was decoded.
  finish = "stop";
  EXPECT_EQ(
      answer_message(search(R"("required")"), search_call("Oslo", "2024-05-01", "2"), "c", finish)["tool_calls"].size(),
      1u);
}

// A pattern outside the regular subset is checked under auto, and refuses a call forced to its tool.
TEST(ToolSchemas, APatternOutsideTheSubsetRefusesAForcedCall) {
  Json body = Json::parse(R"({"tools": [{"type": "function", "function": {"name": "avoid", "parameters": {
      "type": "object", "properties": {"code": {"type": "string", "pattern": "^(?!XXX)[A-Z]{3}$"}}}}},
      {"type": "function", "function": {"name": "ping"}}]})");
  for (const char* choice : {"none", "auto"}) {
    body["tool_choice"] = choice;
    EXPECT_EQ(refusal(body).first, "(accepted)") << choice;
  }
  body["tool_choice"] = Json::parse(R"({"type": "function", "function": {"name": "ping"}})");
  EXPECT_EQ(refusal(body).first, "(accepted)");
  for (const char* choice : {R"("required")", R"({"type": "function", "function": {"name": "avoid"}})"}) {
    body["tool_choice"] = Json::parse(choice);
    const auto [param, message] = refusal(body);
    EXPECT_EQ(param, "tools[0].function.parameters/properties/code/pattern") << choice;
    EXPECT_NE(message.find("a negative lookahead '(?!' is outside the regular subset"), std::string::npos) << message;
  }
}

TEST(ToolSchemas, APatternThatIsNoneIsRefusedWhereItIsChecked) {
  Json body = Json::parse(R"({"tools": [{"type": "function", "function": {"name": "f", "parameters": {
      "type": "object", "properties": {"a": {"type": "string", "pattern": "(ab"}}}}}]})");
  const auto [param, message] = refusal(body);
  EXPECT_EQ(param, "tools[0].function.parameters");
  EXPECT_NE(message.find("/properties/a/pattern"), std::string::npos) << message;
  body["tool_choice"] = "none";
  EXPECT_EQ(refusal(body).first, "(accepted)");  // nothing is checked
}

}  // namespace
}  // namespace lmc::tools

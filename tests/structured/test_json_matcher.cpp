// The byte automaton against JSON itself: for each kind of schema, texts it must take and
// texts it must refuse (bad JSON, values the schema forbids, whitespace past the bound);
// and random answers drawn from it for a set of schemas, each of which must parse, be
// valid under the reference validator, and end in exactly as many steered bytes as the
// matcher's distance promised (the token budget relies on it).
#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

#include "structured/json_matcher.h"
#include "structured/schema_compiler.h"
#include "tests/structured/random_answer.h"
#include "tests/structured/reference_validator.h"

namespace lmc::structured {
namespace {

using nlohmann::ordered_json;

// The whole text is an answer (complete, or complete but extensible).
bool takes(const Grammar& g, const std::string& text) {
  Matcher m(g);
  State s = m.start();
  return m.feed(s, text) && m.accepting(s);
}

struct Case {
  const char* schema;
  std::vector<const char*> good, bad;
};

const std::vector<Case>& cases() {
  static const std::vector<Case> c = {
      {R"({"type": "integer"})",
       {"0", "-7", "123456789012345"},
       {"01", "1.5", "1e3", "-", "+1", " 1", "1 ", "1234567890123456"}},
      {R"({"type": "number"})",
       {"0", "-0.5", "1e5", "2.25E-10", "3e+99", "0.123456789012345"},
       {".5", "1.", "1e", "1e100", "00", "1.2.3", "NaN", "0x10"}},
      {R"({"type": "string", "minLength": 2, "maxLength": 4})",
       {R"("ab")", R"("abcd")", R"("é€😀")", R"("\n\t")", R"("\u00e9x")", R"("a\"")"},
       {R"("a")", R"("abcde")", "\"a\nb\"", R"("\x")", R"("\ud800x")", "\"\xC3\x28\"", "\"\xE0\x80\x80x\"",
        "\"\xF5\x80\x80\x80\"", "'ab'"}},
      {R"({"type": "boolean"})", {"true", "false"}, {"True", "tru", "1", "null"}},
      {R"({"type": ["string", "null"]})", {R"("x")", "null"}, {"nul", "0"}},
      {R"({"enum": ["red", "green", 1, 12, null]})",
       {R"("red")", R"("green")", "1", "12", "null"},
       {R"("blue")", "2", "123"}},
      {R"({"const": {"a": [1, true]}})", {R"({"a":[1,true]})"}, {R"({"a": [1, true]})", R"({"a":[1,false]})"}},
      {R"({"type": "object", "properties": {"name": {"type": "string"}, "age": {"type": "integer"}},
           "required": ["name"]})",
       {R"({"name":"x"})", R"({"name": "x", "age": 3})", R"({"name":"x","age":3})"},
       {"{}", R"({"age":3,"name":"x"})", R"({"age":3})", R"({"name":"x","other":1})", R"({"name":"x",})",
        R"({ "name":"x"})", R"({"name":  "x"})", R"({"name":"x"} )", "{\"name\":\n\"x\"}",
        R"({"name":"x","name":"y"})"}},
      {R"({"type": "object", "properties": {"a": {"type": "integer"}, "b": {"type": "integer"}}})",
       {"{}", R"({"a":1})", R"({"b":2})", R"({"a":1, "b":2})"},
       {R"({"b":2,"a":1})", R"({"a":1,})"}},
      {R"({"type": "array", "items": {"type": "integer"}, "minItems": 1, "maxItems": 3})",
       {"[1]", "[1,2]", "[1, 2, 3]"},
       {"[]", "[1,2,3,4]", "[1,]", "[,1]", "[1 ,2]", R"(["a"])"}},
      {R"({"type": "object"})", {"{}", R"({"k": [1, {"x": null}], "z": "w"})"}, {"[]", R"({"k"})", R"({1: 2})"}},
      {R"({"anyOf": [{"type": "object", "properties": {"x": {"type": "integer"}}, "required": ["x"]},
                      {"type": "object", "properties": {"y": {"type": "string"}}, "required": ["y"]}]})",
       {R"({"x":1})", R"({"y":"s"})"},
       {R"({"x":"s"})", R"({"y":1})", "{}"}},
      {R"({"$defs": {"node": {"type": "object", "properties": {"v": {"type": "integer"},
                      "next": {"anyOf": [{"$ref": "#/$defs/node"}, {"type": "null"}]}}, "required": ["v", "next"]}},
          "$ref": "#/$defs/node"})",
       {R"({"v":1,"next":null})", R"({"v":1,"next":{"v":2,"next":null}})"},
       {R"({"v":1})", R"({"v":1,"next":{"v":2}})"}},
      // Bounds are kept digit by digit: no sign below a minimum of 0, no digit that cannot
      // end inside, a fraction only within a whole unit inside, and no exponent.
      {R"({"type": "integer", "minimum": 1, "maximum": 120})",
       {"1", "42", "120"},
       {"0", "-1", "121", "1000", "01", "1.0", "1e2"}},
      {R"({"type": "integer", "minimum": 0})", {"0", "7", "123456789012345"}, {"-1", "-0", "+1"}},
      {R"({"type": "integer", "exclusiveMinimum": -3, "exclusiveMaximum": 3, "multipleOf": 2})",
       {"-2", "0", "2"},
       {"-3", "3", "1", "-4", "4", "-1"}},
      {R"({"type": "number", "minimum": -90, "maximum": 90})",
       {"-90", "90", "45.5", "-89.999", "0.25", "-0.5"},
       {"90.5", "-90.5", "91", "1e1", "-91", "100"}},
      {R"({"type": "number", "minimum": 0, "exclusiveMaximum": 1})",
       {"0", "0.5", "0.99999999999999"},
       {"1", "-0.5", "1.5", "0.999999999999999"}},
      // Fewer answers than the schema, never more: 1.2 is below 1.5, but not a whole unit.
      {R"({"type": "number", "maximum": 1.5})", {"1", "0.5", "-3.25"}, {"2", "1.2", "1.5"}},
      {R"({"type": "string", "format": "date"})",
       {R"("2024-02-29")", R"("1999-12-31")", R"("2000-02-29")"},
       {R"("2023-02-29")", R"("1900-02-29")", R"("2024-13-01")", R"("2024-04-31")", R"("0000-01-01")", R"("2024-1-01")",
        R"("2024-01-01 ")", R"("\u0032024-01-01")"}},
      {R"({"type": "string", "format": "time"})",
       {R"("23:59:59Z")", R"("08:30:00.123+05:30")"},
       {R"("24:00:00Z")", R"("12:00:00")", R"("12:60:00Z")", R"("12:00:00z")"}},
      {R"({"type": "string", "format": "date-time"})",
       {R"("2024-01-15T10:20:30Z")", R"("2024-01-15T10:20:30-08:00")"},
       {R"("2024-01-15 10:20:30Z")", R"("2024-01-15t10:20:30Z")"}},
      {R"({"type": "string", "format": "uuid"})",
       {R"("123e4567-e89b-12d3-a456-426614174000")"},
       {R"("123e4567e89b12d3a456426614174000")", R"("123e4567-e89b-12d3-a456-42661417400g")"}},
      {R"({"type": "string", "format": "ipv4"})",
       {R"("192.168.0.1")", R"("0.0.0.0")", R"("255.255.255.255")"},
       {R"("256.1.1.1")", R"("01.2.3.4")", R"("1.2.3")", R"("1.2.3.4.5")"}},
      {R"({"type": "string", "format": "email"})",
       {R"("a.b+c@example.co")", R"("x@mail.example.org")"},
       {R"("a@b")", R"("@x.y")", R"("a..b@x.y")", R"("a b@x.y")"}},
      {R"({"allOf": [{"type": "integer", "minimum": 5}]})", {"5", "99"}, {"4", "-5"}},
      // A pattern: its text printable ASCII, never escaped; found anywhere unless anchored.
      {R"({"type": "string", "pattern": "^[A-Z]{3}-\\d{4}$"})",
       {R"("ABC-1234")", R"("ZZZ-0000")"},
       {R"("abc-1234")", R"("ABC-12345")", R"("ABC-123")", R"("\u0041BC-1234")", R"(" ABC-1234")"}},
      {R"({"type": "string", "pattern": "b+", "maxLength": 4})",
       {R"("abba")", R"("b")", R"("xb")"},
       {R"("aca")", R"("abbba")", R"("")", R"("a\"b")"}},
      {R"({"type": "string", "format": "date", "pattern": "^2024-"})",
       {R"("2024-02-29")", R"("2024-12-31")"},
       {R"("2023-01-01")", R"("2024-02-30")"}},
      {R"({"pattern": "^x*$", "minLength": 2, "type": "string"})", {R"("xx")", R"("xxxx")"}, {R"("x")", R"("xy")"}},
  };
  return c;
}

TEST(JsonMatcher, TakesValidTextsAndRefusesTheRest) {
  for (const Case& c : cases()) {
    auto g = compile_schema(ordered_json::parse(c.schema));
    for (const char* t : c.good) EXPECT_TRUE(takes(*g, t)) << c.schema << " should take " << t;
    for (const char* t : c.bad) EXPECT_FALSE(takes(*g, t)) << c.schema << " should refuse " << t;
  }
}

// Every text taken above is valid JSON of its schema, by a validator that shares no code.
TEST(JsonMatcher, TextsItTakesAreValid) {
  for (const Case& c : cases()) {
    testing::ReferenceValidator v(ordered_json::parse(c.schema));
    for (const char* t : c.good) EXPECT_TRUE(v.valid(t)) << c.schema << ": " << t;
  }
}

TEST(JsonMatcher, JsonObjectTakesAnyObjectOnly) {
  auto g = json_object_grammar();
  EXPECT_TRUE(takes(*g, R"({"a": {"b": [1, "c", null, true, -2.5e3]}})"));
  EXPECT_TRUE(takes(*g, "{}"));
  for (const char* t : {"[]", "1", R"("s")", "{", R"({"a":})", R"({"a":1}})"}) EXPECT_FALSE(takes(*g, t)) << t;
}

TEST(JsonMatcher, RandomAnswersParseAndValidate) {
  std::vector<std::string> schemas;
  for (const Case& c : cases()) schemas.push_back(c.schema);
  schemas.push_back(R"({"type": "object", "properties": {
      "id": {"type": "integer"}, "tags": {"type": "array", "items": {"enum": ["a", "b", "c"]}, "maxItems": 4},
      "owner": {"type": ["object", "null"], "properties": {"name": {"type": "string", "maxLength": 8}},
                "required": ["name"]},
      "kind": {"oneOf": [{"const": "x"}, {"type": "integer"}]}},
      "required": ["id", "kind"]})");
  schemas.push_back(R"({"type": "array", "items": {"type": "array", "items": {"type": "number"}, "minItems": 2},
                        "minItems": 2, "maxItems": 5})");
  std::mt19937 rng(1234);
  for (const std::string& text : schemas) {
    auto schema = ordered_json::parse(text);
    auto g = compile_schema(schema);
    Matcher m(*g);
    testing::ReferenceValidator v(schema);
    for (int i = 0; i < 200; ++i) {
      auto a = testing::random_answer(m, rng, static_cast<size_t>(i % 40));
      ASSERT_TRUE(a) << text << ": no answer";
      EXPECT_TRUE(nlohmann::json::accept(a->text)) << text << ": " << a->text;
      EXPECT_TRUE(v.valid(a->text)) << text << ": " << a->text;
      EXPECT_TRUE(a->distance_exact) << text << ": " << a->text;
    }
  }
}

TEST(JsonMatcher, DistanceIsTheShortestCompletion) {
  auto g = compile_schema(ordered_json::parse(
      R"({"type": "object", "properties": {"a": {"type": "string", "minLength": 3}, "b": {"type": "array",
          "items": {"type": "integer"}, "minItems": 2}}, "required": ["a", "b"]})"));
  Matcher m(*g);
  State s = m.start();
  EXPECT_EQ(m.distance(s), std::string(R"({"a":"xxx","b":[0,0]})").size());
  ASSERT_TRUE(m.feed(s, R"({"a":"x)"));
  EXPECT_EQ(m.distance(s), std::string(R"(xx","b":[0,0]})").size());
  ASSERT_TRUE(m.feed(s, R"(yz", "b": [1)"));
  EXPECT_EQ(m.distance(s), std::string(",0]}").size());
}

// Nesting past the matcher's depth is refused rather than followed without bound.
TEST(JsonMatcher, NestingIsBounded) {
  auto g = json_object_grammar();
  std::string deep = "{\"a\":";
  for (size_t i = 0; i < kMaxFrames; ++i) deep += "[";
  Matcher m(*g);
  State s = m.start();
  EXPECT_FALSE(m.feed(s, deep));
}

}  // namespace
}  // namespace lmc::structured

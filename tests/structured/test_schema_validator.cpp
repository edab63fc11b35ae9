// structured/schema_validator.h: a whole value against its whole schema, as a tool call's
// arguments are checked under "auto" when the grammar left keywords out: patterns (PCRE2,
// found anywhere, a hostile one bounded), formats, bounds, uniqueItems and the applicators,
// references read in their document; what fails is named with the value's pointer.
#include "structured/schema_validator.h"

#include <gtest/gtest.h>

#include "structured/schema_compiler.h"

namespace lmc::structured {
namespace {

using nlohmann::json;
using nlohmann::ordered_json;

std::string check(const char* schema, const char* value) {
  return SchemaValidator(ordered_json::parse(schema)).check(json::parse(value));
}

TEST(SchemaValidator, JudgesWhatTheGrammarLeavesOut) {
  struct Row {
    const char* schema;
    const char* good;
    const char* bad;
    const char* words;  // of the message for `bad`
  } rows[] = {
      {R"({"pattern": "^[A-Z]{3}$"})", R"("OSL")", R"("Oslo")", "/: does not match the pattern"},
      {R"({"pattern": "b+"})", R"("abba")", R"("aca")", "pattern"},  // found anywhere
      {R"({"pattern": "\\u0041"})", R"("A")", R"("B")", "pattern"},   // JavaScript's \u escape
      {R"({"type": "array", "uniqueItems": true})", "[1, 2, {\"a\": 1}]", "[1, {\"a\": 1}, {\"a\": 1}]", "alike"},
      {R"({"multipleOf": 0.25})", "1.75", "1.8", "multiple"},
      {R"({"type": "integer", "multipleOf": 3})", "-9", "10", "multiple"},
      {R"({"exclusiveMinimum": 0, "maximum": 1})", "1", "0", "not above"},
      {R"({"minimum": 5, "exclusiveMinimum": true})", "6", "5", "minimum"},
      {R"({"type": "string", "format": "date"})", R"("2024-02-29")", R"("2023-02-29")", "valid date"},
      {R"({"format": "uri"})", R"("not checked")", nullptr, nullptr},
      {R"({"type": "object", "properties": {"a": {"type": "integer"}}, "additionalProperties": false})", R"({"a": 1})",
       R"({"a": 1, "b": 2})", "/b: no value"},
      {R"({"type": "object", "patternProperties": {"^x-": {"type": "string"}}})", R"({"x-a": "s", "y": 1})",
       R"({"x-a": 1})", "/x-a: is not of type"},
      {R"({"type": "object", "required": ["a"], "minProperties": 2})", R"({"a": 1, "b": 2})", R"({"a": 1})", "too few"},
      {R"({"type": "object", "dependentRequired": {"a": ["b"]}})", R"({"b": 1})", R"({"a": 1})", "without"},
      {R"({"type": "array", "prefixItems": [{"type": "string"}], "items": {"type": "integer"}})", R"(["a", 1, 2])",
       R"(["a", "b"])", "/1: is not of type"},
      {R"({"type": "array", "contains": {"const": 2}, "maxContains": 1})", "[1, 2]", "[2, 2]", "contains"},
      {R"({"allOf": [{"minimum": 1}, {"maximum": 3}]})", "2", "4", "maximum"},
      {R"({"oneOf": [{"type": "integer"}, {"type": "number"}]})", "1.5", "1", "exactly one"},
      {R"({"not": {"type": "null"}})", "0", "null", "'not'"},
      {R"({"if": {"minimum": 10}, "then": {"multipleOf": 10}, "else": {"maximum": 5}})", "20", "15", "'then'"},
      {R"({"type": "string", "minLength": 2, "maxLength": 3})", R"("é€")", R"("é")", "shorter"},
      {R"({"enum": [1, "a", null]})", "1.0", "2", "not one of"},
  };
  for (const Row& r : rows) {
    EXPECT_EQ(check(r.schema, r.good), "") << r.schema << " " << r.good;
    if (!r.bad) continue;
    const std::string why = check(r.schema, r.bad);
    EXPECT_NE(why.find(r.words), std::string::npos) << r.schema << " " << r.bad << ": " << why;
  }
}

// A reference is read in its document: the tool's own "#", inside another schema too.
TEST(SchemaValidator, ReferencesPointIntoTheirDocument) {
  const char* tree = R"({"$defs": {"leaf": {"type": "integer"}}, "type": "object", "properties": {
      "t": {"$id": "urn:tree", "type": "object", "properties": {"v": {"$ref": "#/$defs/leaf"},
            "kids": {"type": "array", "items": {"$ref": "#"}}}, "$defs": {"leaf": {"type": "string"}}}}})";
  EXPECT_EQ(check(tree, R"({"t": {"v": "a", "kids": [{"v": "b", "kids": []}]}})"), "");
  EXPECT_NE(check(tree, R"({"t": {"v": 1}})"), "");
  EXPECT_EQ(check(tree, R"({"t": {"kids": [{"v": 2}]}})"), "/t/kids/0/v: is not of type \"string\"");
  // A schema that refers to itself without reading a value ends, failing, even where each
  // level branches in two: the check's steps are bounded (a hang is the test's timeout).
  EXPECT_NE(check(R"({"$ref": "#"})", "1"), "");
  EXPECT_NE(check(R"({"anyOf": [{"$ref": "#"}, {"$ref": "#"}, {"type": "null"}]})", "1"), "");
}

TEST(SchemaValidator, APatternThatIsNoneIsRefusedNamingIt) {
  try {
    SchemaValidator v(ordered_json::parse(R"({"properties": {"a": {"pattern": "(ab"}}, "enum": [{"pattern": "("}]})"));
    FAIL() << "a bad pattern was taken";
  } catch (const SchemaError& e) {
    EXPECT_EQ(e.pointer, "/properties/a/pattern");
  }
  // Data is no schema: a "pattern" inside enum, const or a default is not compiled.
  EXPECT_EQ(check(R"({"default": {"pattern": "("}, "const": {"pattern": "["}})", R"({"pattern": "["})"), "");
}

// Catastrophic backtracking stops at PCRE2's match limit (a hang is the test's timeout):
// no match.
TEST(SchemaValidator, AHostilePatternCostsLittle) {
  const std::string why = check(R"({"pattern": "^(a+)+$"})", R"("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa!")");
  EXPECT_NE(why, "");
}

}  // namespace
}  // namespace lmc::structured

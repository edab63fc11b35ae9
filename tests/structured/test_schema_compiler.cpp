// Schemas the compiler refuses: every keyword it does not implement, and every value it
// cannot honour, is an error naming the keyword's JSON pointer, never ignored; and the
// schemas it takes, including references, recursion and oneOf it can prove exclusive. With
// a list for them (a tool's parameters), the keywords it cannot hold are listed there, and
// only a schema that is none is refused.
#include <gtest/gtest.h>

#include <set>
#include <string>
#include <vector>

#include "structured/json_matcher.h"
#include "structured/schema_compiler.h"

namespace lmc::structured {
namespace {

using nlohmann::ordered_json;

// The pointer the compiler names, or "(compiled)".
std::string refusal(const char* schema, std::string* message = nullptr) {
  try {
    compile_schema(ordered_json::parse(schema));
    return "(compiled)";
  } catch (const SchemaError& e) {
    if (message) *message = e.what();
    return e.pointer;
  }
}

TEST(JsonSchemaCompiler, UnsupportedKeywordsNameTheirPointer) {
  struct Row {
    const char* schema;
    const char* pointer;
    const char* words;
  } rows[] = {
      {R"({"type": "string", "pattern": "(a)\\1"})", "/pattern", "a backreference"},
      {R"({"type": "string", "pattern": "^\"$"})", "/pattern", "matches no text"},
      {R"({"type": "string", "pattern": 3})", "/pattern", "must be a string"},
      {R"({"type": "string", "format": "date", "pattern": "^1999-02-29$"})", "/pattern", "no text matches both"},
      {R"({"type": "string", "format": "duration"})", "/format", "'format'"},
      {R"({"type": "string", "format": "time", "maxLength": 5})", "/maxLength", "beside 'format'"},
      {R"({"properties": {"p": {"type": "number", "minimum": 0.2, "maximum": 0.7}}})", "/properties/p/minimum",
       "no number"},
      {R"({"type": "integer", "minimum": 1e16})", "/minimum", "no integer"},
      {R"({"type": "number", "multipleOf": 0.5})", "/multipleOf", "'multipleOf'"},
      {R"({"allOf": [{"type": "string"}, {"maxLength": 3}]})", "/allOf", "'allOf'"},
      {R"({"type": "string", "allOf": [{"maxLength": 3}]})", "/allOf", "'allOf'"},
      {R"({"type": "object", "properties": {"a/b": {"not": {}}}})", "/properties/a~1b/not", "'not'"},
      {R"({"type": "string", "nullable": true})", "/nullable", "a list with \"null\""},
      {R"({"type": "array", "items": [{"type": "string"}]})", "/items", "tuple"},
      {R"({"type": "array", "prefixItems": []})", "/prefixItems", "'prefixItems'"},
      {R"({"type": "array", "uniqueItems": true})", "/uniqueItems", "'uniqueItems'"},
      {R"({"type": "object", "patternProperties": {}})", "/patternProperties", "'patternProperties'"},
      {R"({"type": "object", "minProperties": 1})", "/minProperties", "'minProperties'"},
      {R"j({"$defs": {"x": {"type": "string", "pattern": "(?=b)"}}, "$ref": "#/$defs/x"})j", "/$defs/x/pattern",
       "lookahead"},
      {R"({"anyOf": [{"type": "string"}], "type": "string"})", "/type", "'type' beside 'anyOf'"},
      {R"({"$ref": "#/$defs/x", "maxLength": 3, "$defs": {"x": {}}})", "/maxLength", "'maxLength' beside '$ref'"},
      {R"({"enum": ["a"], "maxLength": 3})", "/maxLength", "beside 'enum'"},
  };
  for (const Row& r : rows) {
    std::string message;
    EXPECT_EQ(refusal(r.schema, &message), r.pointer) << r.schema;
    EXPECT_NE(message.find(r.words), std::string::npos) << r.schema << ": " << message;
    EXPECT_NE(message.find(r.pointer), std::string::npos) << r.schema << ": " << message;
  }
}

TEST(JsonSchemaCompiler, ValuesItCannotHonourNameTheirPointer) {
  struct Row {
    const char* schema;
    const char* pointer;
  } rows[] = {
      {R"({"type": "strin"})", "/type"},
      {R"({"type": []})", "/type"},
      {R"({"type": "string", "maxLength": -1})", "/maxLength"},
      {R"({"type": "string", "minLength": 3, "maxLength": 2})", "/minLength"},
      {R"({"type": "array", "minItems": "2"})", "/minItems"},
      {R"({"type": "object", "properties": {"a": {}}, "required": ["b"]})", "/required/0"},
      {R"({"type": "object", "required": ["a"]})", "/required/0"},
      {R"({"type": "object", "properties": {"a": {}}, "required": ["a", "a"]})", "/required/1"},
      {R"({"type": "object", "properties": 3})", "/properties"},
      {R"({"enum": []})", "/enum"},
      {R"({"type": "integer", "enum": ["a", "b"]})", "/enum"},
      {R"({"$ref": "https://example.com/s.json"})", "/$ref"},
      {R"({"$ref": "#/$defs/missing"})", "/$ref"},
      {R"({"anyOf": []})", "/anyOf"},
      {R"({"allOf": []})", "/allOf"},
      {R"({"type": "integer", "minimum": "1"})", "/minimum"},
      {R"({"type": "number", "multipleOf": 0})", "/multipleOf"},
      {R"({"type": "string", "format": 5})", "/format"},
      {R"({"properties": {"x": false}})", "/properties/x"},
      {"5", ""},
      {R"({"oneOf": [{"type": "number"}, {"type": "integer"}]})", "/oneOf/1"},
      {R"({"oneOf": [{"type": "string"}, {"maxLength": 3}]})", "/oneOf/1"},
      {R"({"oneOf": [{"type": "object", "properties": {"a": {}}}, {"type": "object", "properties": {"b": {}},
          "required": ["b"]}]})",
       "/oneOf/1"},
      // A value must hold a value like itself, forever: no finite answer.
      {R"({"$defs": {"n": {"type": "object", "properties": {"n": {"$ref": "#/$defs/n"}}, "required": ["n"]}},
          "$ref": "#/$defs/n"})",
       "/$defs/n"},
  };
  for (const Row& r : rows) EXPECT_EQ(refusal(r.schema), r.pointer) << r.schema;
}

TEST(JsonSchemaCompiler, TakesTheSubsetItDocuments) {
  for (const char* schema : {
           R"({})",
           R"(true)",
           R"({"title": "t", "description": "d", "type": "string", "default": "x"})",
           R"({"type": ["integer", "null"]})",
           R"({"type": "object", "properties": {"a": {"type": "string"}}, "additionalProperties": false})",
           R"({"type": "object", "properties": {"a": {"type": "string"}}, "additionalProperties": true})",
           R"({"type": "object", "additionalProperties": {"type": "integer"}})",
           R"({"type": "array", "uniqueItems": false})",
           R"({"definitions": {"x": {"type": "string"}}, "properties": {"a": {"$ref": "#/definitions/x"}}})",
           R"({"oneOf": [{"type": "string"}, {"type": "integer"}, {"type": "null"}]})",
           // A discriminator: the required "kind" keeps the alternatives apart.
           R"({"oneOf": [{"type": "object", "properties": {"kind": {"const": "a"}, "x": {"type": "integer"}},
                          "required": ["kind", "x"]},
                         {"type": "object", "properties": {"kind": {"const": "b"}}, "required": ["kind"]}]})",
           R"({"$defs": {"t": {"type": "object", "properties": {"c": {"type": "array", "items": {"$ref": "#/$defs/t"}}},
                                "required": ["c"]}}, "$ref": "#/$defs/t"})",
           R"({"type": "object", "properties": {"self": {"$ref": "#"}}})",
           R"({"type": "string", "format": "date-time"})",
           R"({"type": "string", "format": "uuid", "minLength": 36, "maxLength": 40})",
           R"({"type": "integer", "minimum": 0, "exclusiveMaximum": 10, "multipleOf": 5})",
           R"({"type": "number", "exclusiveMinimum": -1.5, "maximum": 1e300})",
           R"({"type": "integer", "minimum": 5, "exclusiveMinimum": true})",
           R"({"allOf": [{"$ref": "#/$defs/a"}], "description": "d", "$defs": {"a": {"type": "string"}}})",
       })
    EXPECT_EQ(refusal(schema), "(compiled)") << schema;
}

// Refs to one place share a node; an object's keys keep the order they are listed in.
TEST(JsonSchemaCompiler, PropertiesKeepTheirOrder) {
  auto g = compile_schema(ordered_json::parse(
      R"({"type": "object", "properties": {"zeta": {"type": "integer"}, "alpha": {"type": "integer"}},
          "required": ["zeta", "alpha"]})"));
  Matcher m(*g);
  State s = m.start();
  EXPECT_TRUE(m.feed(s, R"({"zeta":1,"alpha":2})"));
  EXPECT_TRUE(m.complete(s));
  s = m.start();
  EXPECT_FALSE(m.feed(s, R"({"alpha")"));
}

// A subschema with an $id is a document of its own: its '#' references point into it, from
// wherever it is embedded (as a tool's parameters are in the schema of its calls).
TEST(JsonSchemaCompiler, ADocumentWithAnIdIsItsOwnScope) {
  auto g = compile_schema(ordered_json::parse(R"({"$defs": {"x": {"type": "integer"}},
      "type": "object", "properties": {"inner": {"$id": "urn:inner", "$defs": {"x": {"type": "string"}},
          "type": "object", "properties": {"x": {"$ref": "#/$defs/x"}, "self": {"$ref": "#"}}},
        "outer": {"$ref": "#/$defs/x"}}})"));
  Matcher m(*g);
  auto whole = [&](const std::string& text) {
    State s = m.start();
    return m.feed(s, text) && m.complete(s);
  };
  EXPECT_TRUE(whole(R"({"inner":{"x":"a","self":{"x":"b"}},"outer":1})"));
  EXPECT_FALSE(whole(R"({"inner":{"x":1}})"));             // the inner document's x is a string
  EXPECT_FALSE(whole(R"({"inner":{"self":{"inner":{}}}})"));  // and its "#" is itself
  EXPECT_FALSE(whole(R"({"outer":"a"})"));
  // An anchor-like $id of older drafts opens no document; a reference to nothing in the inner
  // document is refused even where the outer one has it.
  EXPECT_EQ(refusal(R"({"$defs": {"x": {}}, "properties": {"a": {"$id": "#a", "$ref": "#/$defs/x"}}})"), "(compiled)");
  EXPECT_EQ(refusal(R"({"$defs": {"x": {}}, "properties": {"a": {"$id": "urn:a", "$ref": "#/$defs/x"}}})"),
            "/properties/a/$ref");
  EXPECT_EQ(refusal(R"({"$defs": {"x": {}}, "$ref": "#x"})"), "/$ref");
}

// A tool's parameters: what the grammar cannot hold is listed, by pointer, and compiles.
TEST(JsonSchemaCompiler, KeywordsItCannotHoldAreListedWhenAsked) {
  std::vector<std::string> left_out;
  auto g = compile_schema(ordered_json::parse(R"({"type": "object", "properties": {
      "code": {"type": "string", "pattern": "^[A-Z]{3}\\b"},
      "kept": {"type": "string", "pattern": "^[A-Z]{3}$"},
      "tags": {"type": "array", "items": {"type": "string"}, "uniqueItems": true},
      "when": {"type": "string", "format": "duration"},
      "step": {"type": "number", "multipleOf": 0.25},
      "both": {"allOf": [{"type": "integer"}, {"minimum": 2}]},
      "pick": {"oneOf": [{"type": "integer"}, {"type": "number"}]},
      "odd": {"type": "number", "minimum": 0.2, "maximum": 0.7},
      "more": {"type": "string", "x-vendor": 1},
      "ext": {"$ref": "https://example.com/s.json"}},
      "required": ["code", "id"], "minProperties": 1})"),
                          &left_out);
  const std::vector<std::string> expected = {"/properties/code/pattern",  "/properties/tags/uniqueItems",
                                             "/properties/when/format",   "/properties/step/multipleOf",
                                             "/properties/both/allOf",    "/properties/odd/minimum",
                                             "/properties/more/x-vendor", "/minProperties",
                                             "/properties/ext/$ref",      "/properties/pick/oneOf/1"};
  EXPECT_EQ(std::multiset<std::string>(left_out.begin(), left_out.end()),
            std::multiset<std::string>(expected.begin(), expected.end()));
  // The required property 'properties' does not list is written last, of any value.
  Matcher m(*g);
  State s = m.start();
  EXPECT_TRUE(m.feed(s, R"({"code":"x","id":[1]})") && m.complete(s));
  // A schema that is none is refused all the same.
  for (const char* none : {R"({"type": "strin"})", R"({"$ref": "#/$defs/missing"})", R"({"enum": []})",
                           R"({"type": "object", "required": ["a"], "additionalProperties": false})"})
    EXPECT_THROW(compile_schema(ordered_json::parse(none), &left_out), SchemaError) << none;
}

// Costly patterns share one allowance per schema: the first are kept, those past it left out.
TEST(JsonSchemaCompiler, PatternsShareOneAllowanceOfWork) {
  ordered_json schema = {{"type", "object"}, {"properties", ordered_json::object()}};
  for (int i = 0; i < 8; ++i)
    schema["properties"]["p" + std::to_string(i)] = {{"type", "string"}, {"pattern", "a.{9}"}};
  std::vector<std::string> left_out;
  compile_schema(schema, &left_out);
  EXPECT_EQ(left_out, (std::vector<std::string>{"/properties/p6/pattern", "/properties/p7/pattern"}));
  try {
    compile_schema(schema);
    ADD_FAILURE() << "compiled";
  } catch (const SchemaError& e) {
    EXPECT_EQ(e.pointer, "/properties/p6/pattern");
    EXPECT_NE(std::string(e.what()).find("with the other patterns of its schema"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace lmc::structured

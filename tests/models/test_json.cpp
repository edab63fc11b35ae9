// The strict JSON parser (nlohmann-json's, building lmc's DOM): what it accepts and builds,
// what it rejects, and that every rejection names the document and the line and column
// (or byte offset) of the fault.
#include <gtest/gtest.h>

#include <limits>

#include "expect_error.h"
#include "models/formats/json.h"
#include "temp_dir.h"

namespace lmc::models::json {
namespace {

Document parse(const std::string& text) { return Document::parse(text, "doc.json"); }

void expect_parse_error(const std::string& text, const std::string& place, const std::string& what) {
  SCOPED_TRACE(text);
  test::expect_error([&] { parse(text); }, {"doc.json:" + place + ": error: ", what});
}

TEST(Json, BuildsEveryKindOfValue) {
  const Document doc = parse(
      R"( {"null": null, "t": true, "f": false, "int": -42, "big": 9223372036854775807,
          "huge": 9223372036854775808, "float": 2.5e-3, "zero": -0, "str": "a\"b\\c\/\n\t",
          "arr": [1, [2, []], {}], "obj": {"z": 1, "a": 2}} )");
  const Value& r = doc.root();
  EXPECT_TRUE(r.at("null").is_null());
  EXPECT_TRUE(r.at("t").as_bool());
  EXPECT_FALSE(r.at("f").as_bool());
  EXPECT_EQ(r.at("int").as_int(), -42);
  EXPECT_EQ(r.at("big").as_int(), std::numeric_limits<int64_t>::max());
  EXPECT_FALSE(r.at("huge").is_int());  // past int64: kept as a double
  EXPECT_EQ(r.at("huge").as_number(), 9223372036854775808.0);
  EXPECT_EQ(r.at("float").as_number(), 2.5e-3);
  EXPECT_TRUE(r.at("zero").is_int());
  EXPECT_EQ(r.at("int").as_number(), -42.0);
  EXPECT_EQ(r.at("str").as_string(), "a\"b\\c/\n\t");
  const Array& arr = r.at("arr").as_array();
  ASSERT_EQ(arr.size(), 3u);
  EXPECT_EQ(arr[1].as_array()[0].as_int(), 2);
  EXPECT_TRUE(arr[1].as_array()[1].as_array().empty());
  EXPECT_TRUE(arr[2].as_object().empty());
  const Object& obj = r.at("obj").as_object();  // file order, not sorted
  ASSERT_EQ(obj.size(), 2u);
  EXPECT_EQ(obj[0].key, "z");
  EXPECT_EQ(obj[1].key, "a");
  EXPECT_EQ(r.find("absent"), nullptr);
}

TEST(Json, DecodesUnicode) {
  const Document doc = parse(R"(["\u00e9\u20ac\ud83d\ude00", "é€😀", "\u0000"])");
  const Array& a = doc.root().as_array();
  EXPECT_EQ(a[0].as_string(), "\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80");
  EXPECT_EQ(a[1].as_string(), a[0].as_string());
  EXPECT_EQ(a[2].as_string(), std::string(1, '\0'));
}

TEST(Json, ErrorsNameLineAndColumn) {
  expect_parse_error("{\n  \"a\": 1,\n}", "3:1", "expected a string key");
  expect_parse_error("[1,\n 2,\n ]", "3:2", "expected a value");
  expect_parse_error("", "1:1", "unexpected end of input");
  expect_parse_error("  [1] x", "1:7", "unexpected text after");
  expect_parse_error("[1 2]", "1:4", "expected ',' or ']'");
  expect_parse_error("{\"a\" 1}", "1:6", "expected ':'");
  expect_parse_error("{\"a\": 1 \"b\": 2}", "1:9", "expected ',' or '}'");
  expect_parse_error("{\"k\": 1, \"k\": 2}", "1:10", "duplicate key 'k'");
  expect_parse_error("\"abc", "1:5", "missing closing quote");
  // A misplaced token is named where it starts; a byte the lexer refuses is named itself.
  expect_parse_error("[1,\n  2 \"long\\\"key\"]", "2:5", "expected ',' or ']' in array, found string literal");
  expect_parse_error("[true false]", "1:7", "found false literal");
  expect_parse_error("{\"a\": null null}", "1:12", "found null literal");
  expect_parse_error("[1e400]", "1:2", "number out of range");
  expect_parse_error("[\"a\tb\"]", "1:4", "control character U+0009");
  expect_parse_error("[\"a\xc3(\"]", "1:5", "ill-formed UTF-8");
  expect_parse_error("[\"\\ud800\"]", "1:9", "surrogate U+D800..U+DBFF must be followed");
  expect_parse_error("[1.]", "1:4", "expected digit after '.'");
  expect_parse_error("[tru]", "1:2", "invalid literal");
  expect_parse_error("{\"a\": 1,\n nul: 2}", "2:2", "expected a string key in object");
  expect_parse_error("[2222-22]", "1:6", "expected ',' or ']' in array, found number literal");
  expect_parse_error("{\"a\" nul}", "1:6", "expected ':' after object key");  // not "invalid literal"
  expect_parse_error("[1 \"a\tb\"]", "1:4", "expected ',' or ']' in array");
  expect_parse_error("[1] tru", "1:5", "unexpected text after the JSON value");
  expect_parse_error("12x", "1:3", "unexpected text after the JSON value");
  expect_parse_error("\xef\xbb\xbf[]", "1:1", "byte order mark");
  // nlohmann's lexer takes a NUL byte for the end of the input; here it is an error.
  expect_parse_error(std::string("[1]\0", 4), "1:4", "unexpected text after the JSON value");
  expect_parse_error(std::string("[1,\0]", 5), "1:4", "expected a value, found a NUL byte");
}

TEST(Json, ValuesNameWhereTheyStart) {
  const Document doc = parse("[\"a\\\\\", \"q\\\"\", -12.5e1 ,true,\n false, null, {\"k\\\"\": 7}]");
  const Array& a = doc.root().as_array();
  ASSERT_EQ(a.size(), 7u);
  const char* const places[] = {"1:2", "1:9", "1:16", "1:25", "2:2", "2:9", "2:15"};
  for (size_t i = 0; i < a.size(); ++i) EXPECT_EQ(a[i].where(), std::string("doc.json:") + places[i]);
  EXPECT_EQ(a[0].as_string(), "a\\");
  EXPECT_EQ(a[1].as_string(), "q\"");
  EXPECT_EQ(a[2].as_number(), -125.0);
  const Member& m = a[6].as_object()[0];
  EXPECT_EQ(m.key, "k\"");
  EXPECT_EQ(doc.source().where(m.key_offset), "doc.json:2:16");
  EXPECT_EQ(m.value.where(), "doc.json:2:23");
  test::expect_error([&] { parse("{\"k\\\"\": 1,\n \"k\\\"\": 2}"); }, {"doc.json:2:2: error: duplicate key 'k\"'"});
}

TEST(Json, IntegersBeyondInt64AreFloats) {
  const Document doc = parse("[-9223372036854775808, -9223372036854775809, 18446744073709551615, 1.0]");
  const Array& a = doc.root().as_array();
  EXPECT_EQ(a[0].as_int(), std::numeric_limits<int64_t>::min());
  EXPECT_EQ(a[1].kind(), Value::Kind::Float);
  EXPECT_EQ(a[1].as_number(), -9223372036854775808.0);
  EXPECT_EQ(a[2].kind(), Value::Kind::Float);
  EXPECT_EQ(a[2].as_number(), 18446744073709551615.0);
  EXPECT_EQ(a[3].kind(), Value::Kind::Float);  // a fraction, even a zero one, makes a Float
}

TEST(Json, RejectsWhatRfc8259Rejects) {
  const char* const bad[] = {
      "[01]",
      "[1.]",
      "[.5]",
      "[+1]",
      "[1e]",
      "[-]",
      "[NaN]",
      "[Infinity]",
      "['a']",
      "[tru]",
      "[nul]",
      "{a: 1}",
      "[\"\t\"]",
      "[\"\\x\"]",
      "[\"\\u12\"]",
      "[\"\\ud800\"]",
      "[\"\\udc00\"]",
      "[\"\\ud800\\u0041\"]",
      "[\"\xc0\x80\"]",
      "[\"\xed\xa0\x80\"]",
      "[\"\xf5\x80\x80\x80\"]",
      "[\"\xe2\x82\"]",
      "[\"\x80\"]",
      "[1e400]",
      "\xef\xbb\xbf[]",
  };
  for (const char* text : bad) {
    SCOPED_TRACE(text);
    test::expect_error([&] { parse(text); }, {"doc.json:1:", ": error: "});
  }
}

TEST(Json, DeepNestingIsAnErrorNotACrash) {
  expect_parse_error(std::string(100000, '['), "1:513", "nesting deeper than 512");
  expect_parse_error(std::string(511, '[') + "{\"a\": {\"b\": 1}}", "1:518", "nesting deeper than 512");
  const std::string ok = std::string(500, '[') + std::string(500, ']');
  EXPECT_TRUE(parse(ok).root().is_array());
}

TEST(Json, AccessorErrorsNameTheValue) {
  const Document doc = parse("{\n  \"n\": \"seven\",\n  \"list\": [1, 2.5]\n}");
  test::expect_error([&] { doc.root().at("n").as_int(); },
                     {"doc.json:2:8: error: expected an integer, found a string"});
  test::expect_error([&] { doc.root().at("list").as_array()[1].as_int(); },
                     {"doc.json:3:15: error: expected an integer, found a number"});
  test::expect_error([&] { doc.root().at("missing"); }, {"doc.json:1:1: error: missing key 'missing'"});
  test::expect_error([&] { doc.root().at("n").find("x"); }, {"expected an object, found a string"});
}

TEST(Json, EmbeddedDocumentsNameByteOffsets) {
  const std::string text = "{\"a\": [1, 2,]}";
  test::expect_error([&] { Document::parse_embedded(text, "w.safetensors", 8); },
                     {"w.safetensors:offset 20: error: expected a value"});
  const Document doc = Document::parse_embedded("{\"a\": \"x\"}", "w.safetensors", 8);
  test::expect_error([&] { doc.root().at("a").as_bool(); }, {"w.safetensors:offset 14: error: "});
}

TEST(Json, LargeObjectsAndDuplicateDetection) {
  // A vocabulary-sized object takes the hash-set path of the duplicate check.
  std::string text = "{";
  for (int i = 0; i < 200000; ++i) text += "\"tok" + std::to_string(i) + "\": " + std::to_string(i) + ",";
  Document doc = parse(text + "\"last\": -1}");
  const Object& vocab = doc.root().as_object();
  ASSERT_EQ(vocab.size(), 200001u);
  EXPECT_EQ(vocab[123456].key, "tok123456");
  EXPECT_EQ(vocab[123456].value.as_int(), 123456);
  test::expect_error([&] { parse(text + "\"tok7\": 0}"); }, {"duplicate key 'tok7'"});
}

TEST(Json, ReadsFiles) {
  test::TempDir dir;
  const std::string path = dir.file("config.json");
  const std::string text = "{\"hidden_size\": 576}\n";
  test::write_bytes(path, text.data(), text.size());
  EXPECT_EQ(Document::read_file(path).root().at("hidden_size").as_int(), 576);
  const std::string missing = dir.file("none.json");
  test::expect_error([&] { Document::read_file(missing); }, {missing, "cannot open"});
  test::write_bytes(path, "{\n\"a\":}", 7);
  test::expect_error([&] { Document::read_file(path); }, {path + ":2:5: error: "});
  test::write_bytes(path, "", 0);
  test::expect_error([&] { Document::read_file(path); }, {path + ":1:1: error: unexpected end"});
}

}  // namespace
}  // namespace lmc::models::json

// Objects with many properties (a framework's wide tool): 200 properties compile, every
// key is reachable (the 64th and the 200th alike), required ones are never skipped, and
// random answers are valid; up to kMaxProperties compile, and past it the object is left
// out for the check after decoding (a tool's parameters) or refused naming its pointer
// (response_format).
#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>
#include <random>
#include <string>

#include "structured/json_matcher.h"
#include "structured/schema_compiler.h"
#include "tests/structured/random_answer.h"
#include "tests/structured/reference_validator.h"

namespace lmc::structured {
namespace {

using nlohmann::ordered_json;

// n properties p0..p(n-1), of strings, integers and booleans in turn; `required` of them
// (spread out) required.
ordered_json wide(size_t n, size_t required) {
  ordered_json props = ordered_json::object(), names = ordered_json::array();
  const char* const types[] = {"string", "integer", "boolean"};
  for (size_t i = 0; i < n; ++i) {
    props["p" + std::to_string(i)] = {{"type", types[i % 3]}};
    if (required && i % (n / required) == n / required - 1) names.push_back("p" + std::to_string(i));
  }
  return {{"type", "object"}, {"properties", props}, {"required", names}, {"additionalProperties", false}};
}

TEST(WideObjects, TwoHundredPropertiesAnswerValidly) {
  const ordered_json schema = wide(200, 4);
  auto g = compile_schema(schema);
  testing::ReferenceValidator validator(schema);
  Matcher m(*g);
  State s = m.start();
  EXPECT_TRUE(m.feed(s, R"({"p49":1,"p63":"x","p64":2,"p99":"b","p149":true,"p199":3})"));
  EXPECT_TRUE(m.complete(s));
  s = m.start();
  EXPECT_FALSE(m.feed(s, R"({"p49":1,"p150":"c")"));  // p99, required, would be skipped
  s = m.start();
  EXPECT_FALSE(m.feed(s, R"({"p49":1,"p99":"b","p149":true})"));  // p199 is required
  std::mt19937 rng(3);
  for (int i = 0; i < 50; ++i) {
    auto a = testing::random_answer(m, rng, 200);
    ASSERT_TRUE(a);
    EXPECT_TRUE(validator.valid(a->text)) << a->text;
    EXPECT_TRUE(a->distance_exact) << a->text;
  }
}

// The compile work, recorded (never asserted): the figure docs and reports quote.
TEST(WideObjects, CompileTimeIsRecorded) {
  for (size_t n : {size_t{64}, size_t{200}, size_t{kMaxProperties}}) {
    const ordered_json schema = wide(n, 4);
    const auto t0 = std::chrono::steady_clock::now();
    auto g = compile_schema(schema);
    const double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
    std::printf("compile of %zu properties: %.2f ms, %u nodes\n", n, ms, g->size());
    ::testing::Test::RecordProperty("compile_ms_" + std::to_string(n), std::to_string(ms));
  }
}

TEST(WideObjects, PastTheBoundTheObjectIsLeftOutOrRefused) {
  EXPECT_NO_THROW(compile_schema(wide(kMaxProperties, 8)));
  const ordered_json schema = {{"type", "object"}, {"properties", {{"w", wide(kMaxProperties + 1, 0)}}}};
  std::vector<std::string> left_out;
  auto g = compile_schema(schema, &left_out);
  EXPECT_EQ(left_out, std::vector<std::string>{"/properties/w/properties"});
  Matcher m(*g);
  State s = m.start();
  EXPECT_TRUE(m.feed(s, R"({"w":{"anything":[1]}})"));  // any object, checked after decoding
  try {
    compile_schema(schema);
    FAIL() << "compiled";
  } catch (const SchemaError& e) {
    EXPECT_EQ(e.pointer, "/properties/w/properties");
    EXPECT_NE(std::string(e.what()).find("at most 1024 properties"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace lmc::structured

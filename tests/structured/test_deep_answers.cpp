// Answers of recursive schemas driven as deep as they go (a model that keeps opening
// children): at every byte some byte may follow, the matcher's stack reaches its bound
// and never passes it, and the shortest way out from there closes the answer in exactly
// the bytes the distance said, valid under the reference validator. Under a token budget
// the mask is never empty and the answer is whole by its last token.
#include <gtest/gtest.h>

#include <algorithm>
#include <climits>
#include <random>
#include <string>
#include <vector>

#include "structured/json_token_constraint.h"
#include "structured/schema_compiler.h"
#include "tests/structured/reference_validator.h"

namespace lmc::structured {
namespace {

using nlohmann::ordered_json;

const char* const kRecursive[] = {
    // A tree, as Pydantic writes a model that holds a list of itself.
    R"({"$defs":{"N":{"type":"object","properties":{"label":{"type":"string"},"children":{"type":"array",
        "items":{"$ref":"#/$defs/N"}}},"required":["label","children"],"additionalProperties":false}},
        "$ref":"#/$defs/N"})",
    // The same tree as a tool call's arguments.
    R"({"type":"object","properties":{"name":{"const":"tree"},"arguments":{"$ref":"#/$defs/N"}},
        "required":["name","arguments"],"$defs":{"N":{"type":"object","properties":{"label":{"type":"string"},
        "children":{"type":"array","items":{"$ref":"#/$defs/N"}}},"required":["label","children"]}}})",
    // Two types that refer to each other, one through an optional value.
    R"({"$defs":{"Person":{"type":"object","properties":{"name":{"type":"string"},"employer":{"anyOf":[
        {"$ref":"#/$defs/Company"},{"type":"null"}]}},"required":["name","employer"]},
        "Company":{"type":"object","properties":{"title":{"type":"string"},"staff":{"type":"array",
        "items":{"$ref":"#/$defs/Person"}},"parent":{"$ref":"#/$defs/Company"}},"required":["title","staff"]}},
        "$ref":"#/$defs/Person"})",
    // Recursion whose shallowest value is itself deep: every level requires four more.
    R"({"$defs":{"D":{"type":"object","properties":{"a":{"type":"object","properties":{"b":{"type":"object",
        "properties":{"c":{"type":"array","minItems":1,"items":{"type":"string"}}},"required":["c"]}},
        "required":["b"]},"next":{"$ref":"#/$defs/D"},"more":{"type":"array","items":{"$ref":"#/$defs/D"}}},
        "required":["a"]}},"$ref":"#/$defs/D"})",
    // Any JSON object.
    R"({"type":"object"})",
};

size_t depth(const State& s) {
  size_t d = 0;
  for (size_t i = 0; i < s.stacks(); ++i) d = std::max(d, s.stack(i).size());
  return d;
}

// The bytes that open, join or close in the order that goes deepest, a string closed at
// once; any other at random.
// `more`: whether a comma (another item or property) goes before a close this time.
int preference(const Matcher& m, const State& s, uint8_t b, bool more) {
  if (m.string_text(s)) return b == '"' ? 1 : 0;
  if (b == ',' && !more) return -10;
  const std::string order = "{[\",:";
  const size_t at = order.find(static_cast<char>(b));
  return at == std::string::npos ? 0 : static_cast<int>(order.size() - at);
}

TEST(DeepAnswers, ARecursiveAnswerAlwaysClosesFromItsDeepestPoint) {
  std::mt19937 rng(5);
  for (const char* text : kRecursive) {
    const auto schema = ordered_json::parse(text);
    auto g = compile_schema(schema);
    testing::ReferenceValidator validator(schema);
    Matcher m(*g);
    State s = m.start(), next;
    std::string answer;
    size_t deepest = 0;
    while (answer.size() < 20000 && !m.complete(s)) {
      ASSERT_LT(m.distance(s), kInfinite) << text << " after " << answer;
      std::vector<uint8_t> best;
      int most = INT_MIN;
      const bool more = rng() % 4 != 0;
      for (int b = 0; b < 256; ++b) {
        if (!m.advance(s, static_cast<uint8_t>(b), next)) continue;
        // Deeper first, then by the byte; the answer kept open.
        int p = preference(m, s, static_cast<uint8_t>(b), more);  // a string closed at once
        if (!m.string_text(s)) p = m.complete(next) ? INT_MIN + 1 : static_cast<int>(depth(next)) * 10 + p * 10;
        if (p > most) best.clear();
        if (p >= most) {
          most = p;
          best.push_back(static_cast<uint8_t>(b));
        }
      }
      ASSERT_FALSE(best.empty()) << text << ": no byte may follow " << answer;
      const uint8_t b = best[rng() % best.size()];
      ASSERT_TRUE(m.advance(s, b, next));
      std::swap(s, next);
      answer += static_cast<char>(b);
      deepest = std::max(deepest, depth(s));
    }
    EXPECT_GE(deepest, kMaxFrames - 1) << text
                                       << answer.substr(0, 400);  // a last string or empty array may not fit below
    // The way out: along the fewest bytes, as the token budget steers.
    const uint32_t promised = m.distance(s);
    const size_t from = answer.size();
    while (!m.complete(s) && !(m.accepting(s) && m.distance(s) == 0)) {
      uint32_t best = kInfinite;
      uint8_t pick = 0;
      for (int b = 0; b < 256; ++b)
        if (m.advance(s, static_cast<uint8_t>(b), next) && m.distance(next) < best) {
          best = m.distance(next);
          pick = static_cast<uint8_t>(b);
        }
      ASSERT_LT(best, kInfinite) << text << ": no way out after " << answer;
      ASSERT_TRUE(m.advance(s, pick, next));
      std::swap(s, next);
      answer += static_cast<char>(pick);
    }
    EXPECT_EQ(answer.size() - from, promised) << text;
    EXPECT_TRUE(validator.valid(answer)) << text << ": " << answer;
  }
}

// A vocabulary of single bytes and the end of generation.
std::shared_ptr<const TokenVocabulary> byte_vocabulary() {
  std::vector<std::string> texts;
  for (int b = 0; b < 256; ++b) texts.emplace_back(1, static_cast<char>(b));
  texts.emplace_back();
  return std::make_shared<const TokenVocabulary>(texts, std::vector<int32_t>{256});
}

// Logits that favour going deeper, under budgets from just enough to roomy: the mask always
// leaves a token, and the answer is whole and valid when the budget is spent.
TEST(DeepAnswers, TheMaskNeverDeadEndsUnderAnyBudget) {
  auto vocab = byte_vocabulary();
  std::mt19937 rng(11);
  std::uniform_real_distribution<float> noise(0, 1);
  for (const char* text : kRecursive) {
    const auto schema = ordered_json::parse(text);
    auto g = compile_schema(schema);
    testing::ReferenceValidator validator(schema);
    Matcher m(*g);
    const int64_t shortest = m.distance(m.start());
    for (int64_t slack : {1, 9, 60, 300, 1500}) {
      const int64_t budget = shortest + slack;
      JsonTokenConstraint c(g, vocab, budget);
      State s = m.start();
      std::string answer;
      bool ended = false;
      for (int64_t produced = 0; produced < budget && !ended; ++produced) {
        std::vector<float> row(vocab->size());
        const bool more = rng() % 2 == 0;
        for (size_t id = 0; id < 256; ++id)
          row[id] = 4.0f * preference(m, s, static_cast<uint8_t>(id), more) + noise(rng);
        ASSERT_TRUE(c.mask(row)) << text << " budget " << budget << ": " << answer;
        const auto token = static_cast<int32_t>(std::max_element(row.begin(), row.end()) - row.begin());
        if (token == 256) break;
        ASSERT_TRUE(c.accept(token));
        ASSERT_TRUE(m.feed(s, vocab->text(token)));
        answer += vocab->text(token);
        ended = c.complete();
      }
      EXPECT_TRUE(validator.valid(answer)) << text << " budget " << budget << ": " << answer;
    }
  }
}

// A schema whose every value nests deeper than the matcher follows is refused at once.
TEST(DeepAnswers, ASchemaDeeperThanTheBoundIsRefused) {
  ordered_json s = {{"type", "string"}};
  for (uint32_t i = 0; i < kMaxFrames; ++i) s = {{"type", "array"}, {"items", s}, {"minItems", 1}};
  EXPECT_THROW(compile_schema(s), SchemaError);
  s = s["items"];
  EXPECT_NO_THROW(compile_schema(s));
}

}  // namespace
}  // namespace lmc::structured

// The token mask on a made-up vocabulary (every byte, JSON punctuation pieces, words,
// a partial UTF-8 character, control-like tokens): it equals the brute-force mask at
// states along random answers, inside strings (the plain-token table) and out; the token
// budget closes every answer in time; and JsonTokenConstraint masks a logits row and
// refuses a token its mask did not allow.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <random>

#include "structured/json_token_constraint.h"
#include "structured/schema_compiler.h"
#include "structured/token_distance.h"
#include "tests/structured/made_up_vocabulary.h"
#include "tests/structured/random_answer.h"
#include "tests/structured/reference_validator.h"
#include "tests/structured/token_mask_check.h"

namespace lmc::structured {
namespace {

using nlohmann::ordered_json;
using testing::kEog;
using testing::made_up_vocabulary;

const char* const kSchemas[] = {
    R"({"type": "object", "properties": {"name": {"type": "string", "maxLength": 6}, "n": {"type": "integer"},
        "ok": {"type": "boolean"}}, "required": ["name", "ok"]})",
    R"({"type": "array", "items": {"anyOf": [{"type": "string", "minLength": 2}, {"type": "number"}, {"type": "null"}]},
        "maxItems": 4})",
    R"({"enum": ["a", "ab", "é", 12]})",
    R"({"type": "object"})",
    R"({"type": "number"})",
};

TEST(JsonTokenMask, EqualsTheBruteForceMask) {
  auto vocab = made_up_vocabulary();
  std::mt19937 rng(99);
  for (const char* schema : kSchemas) {
    auto g = compile_schema(ordered_json::parse(schema));
    Matcher m(*g), walker(*g);
    TokenMasker masker(m, *vocab);
    std::vector<uint64_t> bits;
    for (int i = 0; i < 30; ++i) {
      auto a = testing::random_answer(walker, rng, 30);
      ASSERT_TRUE(a);
      State s = m.start();
      for (size_t k = 0; k <= a->text.size(); ++k) {  // every prefix of the answer
        masker.allowed(s, TokenMasker::kNoBudget, bits);
        auto expected = testing::brute_force_mask(m, *vocab, s);
        ASSERT_EQ(bits, expected) << schema << " after '" << a->text.substr(0, k)
                                  << "': " << testing::differences(*vocab, bits, expected);
        if (k < a->text.size()) {
          ASSERT_TRUE(m.feed(s, a->text.substr(k, 1)));
        }
      }
    }
  }
}

// Sampling from random logits with a budget from exactly the shortest answer's tokens up:
// every answer is whole by its last token and valid.
TEST(JsonTokenMask, TheBudgetClosesEveryAnswerInTime) {
  auto vocab = made_up_vocabulary();
  std::mt19937 rng(7);
  std::uniform_real_distribution<float> logit(-5, 5);
  for (const char* text : kSchemas) {
    auto schema = ordered_json::parse(text);
    auto g = compile_schema(schema);
    testing::ReferenceValidator validator(schema);
    Matcher probe(*g);
    const int64_t shortest = TokenDistance(*g, *vocab).of(probe.start());
    for (int64_t slack = 0; slack < 40; ++slack) {
      const int64_t budget = shortest + slack;
      JsonTokenConstraint c(g, vocab, budget);
      std::string answer;
      bool ended = false;
      for (int64_t produced = 0; produced < budget && !ended; ++produced) {
        std::vector<float> row(vocab->size() + 3);
        for (float& l : row) l = logit(rng);
        ASSERT_TRUE(c.mask(row));
        const auto token = static_cast<int32_t>(std::max_element(row.begin(), row.end()) - row.begin());
        if (token == kEog) {
          ended = true;
          break;
        }
        ASSERT_TRUE(c.accept(token));
        answer += vocab->text(token);
        ended = c.complete();
      }
      EXPECT_TRUE(ended) << text << " budget " << budget << ": " << answer;
      EXPECT_TRUE(validator.valid(answer)) << text << ": " << answer;
    }
  }
}

int32_t id_of(const TokenVocabulary& v, std::string_view text) {
  for (size_t id = 0; id < v.size(); ++id)
    if (v.text(static_cast<int32_t>(id)) == text) return static_cast<int32_t>(id);
  return -1;
}

// A boolean starts with "t", "f" or "true"; the row's padding past the vocabulary is
// never allowed.
TEST(JsonTokenMask, ConstraintMasksTheRowAndRefusesOtherTokens) {
  auto vocab = made_up_vocabulary();
  auto g = compile_schema(ordered_json::parse(R"({"type": "boolean"})"));
  const int32_t whole = id_of(*vocab, "true");
  JsonTokenConstraint c(g, vocab, 100);
  std::vector<float> row(vocab->size() + 5, 1.0f);
  ASSERT_TRUE(c.mask(row));
  for (size_t id = 0; id < row.size(); ++id) {
    const auto t = static_cast<int32_t>(id);
    EXPECT_EQ(std::isinf(row[id]), !(t == 't' || t == 'f' || t == whole)) << id;
  }
  JsonTokenConstraint refusing(g, vocab, 100);
  EXPECT_FALSE(refusing.accept('x'));
  EXPECT_FALSE(refusing.accept(kEog + 1));  // writes no text
  JsonTokenConstraint answering(g, vocab, 100);
  ASSERT_TRUE(answering.accept(whole));
  EXPECT_TRUE(answering.complete());
}

}  // namespace
}  // namespace lmc::structured

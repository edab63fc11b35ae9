// The token budget's measure (token_distance.h) at every state along random answers of
// several grammars (a 20-property record, an anyOf, minLength and minItems, a format, a
// top-level number), on the made-up vocabulary and on SmolLM2's when its weights are
// present: each stack's shortest completion is a text the matcher takes, as long as its
// distance says, and its count is the fewest tokens of the vocabulary that write it (found
// by trying every token at every byte), plus the end of generation where the value could
// go on. The mask at a tight budget is the brute-force mask less the tokens whose state
// needs more than the tokens left: the closing logic uses exactly this count. A completion
// too long to write out is counted a byte a token.
#include <gtest/gtest.h>

#include <filesystem>
#include <map>
#include <random>
#include <string>

#include "lmc_test_paths.h"
#include "models/formats/gguf_file.h"
#include "models/tokenizer/tokenizer_from_gguf.h"
#include "structured/completion_text.h"
#include "structured/schema_compiler.h"
#include "structured/token_distance.h"
#include "structured/token_mask.h"
#include "tests/structured/made_up_vocabulary.h"
#include "tests/structured/random_answer.h"
#include "tests/structured/token_mask_check.h"
#include "tools/lmc/generation/constraint_vocabulary.h"

namespace lmc::structured {
namespace {

using nlohmann::ordered_json;

const std::string kSmolLM2 = std::string(LMC_SOURCE_DIR) + "/models/weights/SmolLM2-135M-Instruct.Q4_1.gguf";

// The issue's record: 20 required properties, string, integer, boolean and number in turn.
std::string record_schema(int properties) {
  const char* types[] = {"string", "integer", "boolean", "number"};
  ordered_json props = ordered_json::object(), required = ordered_json::array();
  for (int i = 0; i < properties; ++i) {
    const std::string key = "field_" + std::to_string(i);
    props[key] = {{"type", types[i % 4]}};
    required.push_back(key);
  }
  return ordered_json{{"type", "object"}, {"properties", props}, {"required", required}}.dump();
}

const std::string kSchemas[] = {
    record_schema(20),
    R"({"type": "array", "items": {"anyOf": [{"type": "string", "minLength": 3}, {"type": "number"}, {"type": "null"}]},
        "minItems": 2, "maxItems": 4})",
    R"({"type": "object", "properties": {"when": {"type": "string", "format": "date"}, "n": {"type": "integer",
        "minimum": 10, "maximum": 99}, "tags": {"type": "array", "items": {"enum": ["red", "green"]}, "minItems": 1}},
        "required": ["when", "n", "tags"]})",
    R"({"type": "number"})",
};

// The fewest tokens that write a text, trying every token at every byte (the tokens
// grouped by their first byte, so that SmolLM2's 49152 take a moment).
class FewestTokens {
 public:
  explicit FewestTokens(const TokenVocabulary& v) : v_(v) {
    for (size_t id = 0; id < v.size(); ++id)
      if (!v.text(static_cast<int32_t>(id)).empty())
        by_first_[static_cast<uint8_t>(v.text(static_cast<int32_t>(id))[0])].push_back(static_cast<int32_t>(id));
  }
  uint32_t operator()(std::string_view text) const {
    std::vector<uint32_t> best(text.size() + 1, kInfinite);
    best[text.size()] = 0;
    for (size_t i = text.size(); i-- > 0;)
      for (int32_t id : by_first_[static_cast<uint8_t>(text[i])]) {
        const std::string_view t = v_.text(id);
        if (text.substr(i).starts_with(t) && best[i + t.size()] != kInfinite)
          best[i] = std::min(best[i], best[i + t.size()] + 1);
      }
    return best[0];
  }

 private:
  const TokenVocabulary& v_;
  std::vector<int32_t> by_first_[256];
};

// What the count of a state should be, by brute force: of each stack, its completion
// (each frame's text from the top down) checked against the matcher and written in the
// fewest tokens; the least of them. Kept per state, as the masks ask for many again.
class ExpectedCount {
 public:
  ExpectedCount(const Grammar& g, const TokenVocabulary& v) : m_(g), texts_(g), fewest_(v) {}

  uint32_t operator()(const State& s) {
    std::string key;
    for (size_t i = 0; i < s.stacks(); ++i) {
      for (const Frame& f : s.stack(i)) key.append(reinterpret_cast<const char*>(&f), sizeof f);
      key += '|';
    }
    auto [it, fresh] = known_.try_emplace(key, kInfinite);
    for (size_t i = 0; fresh && i < s.stacks(); ++i) it->second = std::min(it->second, of(s.stack(i)));
    return it->second;
  }

 private:
  uint32_t of(std::span<const Frame> stack) {
    std::string text;
    for (size_t k = stack.size(); k-- > 0;) text += texts_.of(stack[k], kMaxFrames - 1 - static_cast<uint32_t>(k)).text;
    State s;
    s.add(stack);
    EXPECT_EQ(text.size(), m_.distance(s)) << "the completion '" << text << "' is as long as the distance";
    EXPECT_TRUE(m_.feed(s, text)) << "the matcher takes the completion '" << text << "'";
    EXPECT_TRUE(m_.accepting(s)) << text;
    return fewest_(text) + (m_.complete(s) ? 0 : 1);
  }

  Matcher m_;
  CompletionTexts texts_;
  FewestTokens fewest_;
  std::map<std::string, uint32_t> known_;
};

// At every state along `answers` random answers: the count; at every `mask_every`-th
// (0: none), the mask at a budget of the count and of one more.
void check_grammar(const std::string& schema, const TokenVocabulary& v, int answers, size_t mask_every) {
  auto g = compile_schema(ordered_json::parse(schema));
  Matcher m(*g), walker(*g);
  ExpectedCount expected(*g, v);
  TokenDistance distance(*g, v);
  TokenMasker masker(m, v);
  std::mt19937 rng(5);
  std::vector<uint64_t> bits;
  for (int a = 0; a < answers; ++a) {
    auto answer = testing::random_answer(walker, rng, 60);
    ASSERT_TRUE(answer);
    State s = m.start();
    for (size_t k = 0; k <= answer->text.size(); ++k) {
      const std::string at = answer->text.substr(0, k);
      const uint32_t count = distance.of(s);
      ASSERT_EQ(count, expected(s)) << schema << " after '" << at << "'";
      const bool mask = mask_every > 0 && k % mask_every == 0 && !m.complete(s);
      for (int64_t budget = count; mask && budget <= count + 1; ++budget) {
        masker.allowed(s, budget, bits);
        std::vector<uint64_t> want = testing::brute_force_mask(m, v, s);
        for (size_t id = 0; id < v.size(); ++id) {
          const auto t = static_cast<int32_t>(id);
          if (v.is_eog(t) || !(want[id / 64] >> (id % 64) & 1)) continue;
          State after = s;
          m.feed(after, v.text(t));
          if (!m.complete(after) && expected(after) > budget - 1) want[id / 64] &= ~(uint64_t{1} << (id % 64));
        }
        ASSERT_EQ(bits, want) << schema << " after '" << at << "', budget " << budget << ": "
                              << testing::differences(v, bits, want);
      }
      if (k < answer->text.size()) {
        ASSERT_TRUE(m.feed(s, answer->text.substr(k, 1)));
      }
    }
  }
}

TEST(TokenDistance, IsTheFewestTokensOfTheShortestCompletion) {
  auto v = testing::made_up_vocabulary();
  for (const std::string& schema : kSchemas) check_grammar(schema, *v, 6, 3);
}

// A completion past kMostCounted bytes is counted a byte a token, and the end: never more
// than it needs, and the mask still leaves a token at exactly that budget.
TEST(TokenDistance, CountsALongCompletionAByteAToken) {
  auto v = testing::made_up_vocabulary();
  auto g = compile_schema(ordered_json::parse(R"({"type": "array", "items": {"type": "integer"}, "minItems": 40000})"));
  Matcher m(*g);
  const uint32_t bytes = m.distance(m.start());
  ASSERT_GT(bytes, TokenDistance::kMostCounted);
  EXPECT_EQ(TokenDistance(*g, *v).of(m.start()), bytes + 1);
  TokenMasker masker(m, *v);
  std::vector<uint64_t> bits;
  masker.allowed(m.start(), bytes + 1, bits);
  EXPECT_EQ(bits, testing::brute_force_mask(m, *v, m.start()));  // '[' and '[1,': each leaves its bytes
}

// SmolLM2's 49152 tokens, on the issue's record: the counts only (the brute-force mask
// tries every token at every state).
TEST(TokenDistance, IsTheFewestTokensOfTheShortestCompletionInSmolLM2sVocabulary) {
  if (!std::filesystem::exists(kSmolLM2)) GTEST_SKIP() << "weights not downloaded: " << kSmolLM2;
  auto tok = models::Tokenizer::create(models::tokenizer_vocab_from_gguf(*models::GgufFile::open(kSmolLM2)));
  auto v = tools::constraint_vocabulary(*tok);
  check_grammar(record_schema(20), *v, 2, 0);
  auto g = compile_schema(ordered_json::parse(record_schema(20)));
  Matcher m(*g);
  // The issue's count of the shortest object, by the tokenizer's own encoding, is 126:
  // the fewest tokens can only be as many or fewer.
  EXPECT_LE(TokenDistance(*g, *v).of(m.start()), 126u);
}

}  // namespace
}  // namespace lmc::structured

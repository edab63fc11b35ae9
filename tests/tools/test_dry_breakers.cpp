// DRY's sequence breakers read in SmolLM2's vocabulary (its GGUF; skipped when absent): a
// token holding a breaker is one by itself; a token ending with a breaker's beginning is
// one followed by the tokens of the breaker's rest.
#include <gtest/gtest.h>

#include <filesystem>
#include <map>
#include <set>

#include "lmc_test_paths.h"
#include "models/formats/gguf_file.h"
#include "models/tokenizer/tokenizer_from_gguf.h"
#include "tools/lmc/generation/dry_breakers.h"

namespace lmc::tools {
namespace {

std::unique_ptr<models::Tokenizer> smollm2() {
  const std::string path = std::string(LMC_SOURCE_DIR) + "/models/weights/SmolLM2-135M-Instruct.Q4_1.gguf";
  if (!std::filesystem::exists(path)) return nullptr;
  return models::Tokenizer::create(models::tokenizer_vocab_from_gguf(*models::GgufFile::open(path)));
}

using Entries = std::set<std::pair<int32_t, std::vector<int32_t>>>;

Entries entries(const runtime::DryBreakers& b) { return {b.begin(), b.end()}; }

// The rule, by the overlap's length: the token's last n bytes are the breaker's first n.
Entries expected(const models::Tokenizer& tok, const std::vector<std::string>& breakers) {
  Entries out;
  for (int32_t id = 0; id < static_cast<int32_t>(tok.size()); ++id) {
    const std::string text = tok.token_text(id);
    for (const std::string& b : breakers) {
      if (text.find(b) != std::string::npos) {
        out.insert({id, {}});
        continue;
      }
      for (size_t n = 1; n < b.size() && n <= text.size(); ++n)
        if (text.compare(text.size() - n, n, b, 0, n) == 0) {
          std::vector<int32_t> tail = tok.encode(b.substr(n), false, false);
          if (tail.size() > 20) tail.resize(20);
          out.insert({id, tail});
        }
    }
  }
  return out;
}

TEST(DryBreakers, SingleCharacterBreakersAreTheTokensHoldingThem) {
  auto tok = smollm2();
  if (!tok) GTEST_SKIP() << "SmolLM2's GGUF is not in models/weights";
  const std::vector<std::string> breakers{"\n", ":", "\"", "*"};
  const Entries got = entries(*dry_breakers(*tok, breakers));
  EXPECT_EQ(got, expected(*tok, breakers));
  for (const auto& [id, tail] : got) EXPECT_TRUE(tail.empty()) << id;
  const auto colon = tok->encode(":", false, false);
  ASSERT_EQ(colon.size(), 1u);
  EXPECT_TRUE(got.count({colon[0], {}}));
  EXPECT_GT(got.size(), 100u);
  EXPECT_EQ(dry_breakers(*tok, breakers).get(), dry_breakers(*tok, breakers).get());  // read once
}

TEST(DryBreakers, AMultiTokenBreakerMapsItsHeadsToTheirTails) {
  auto tok = smollm2();
  if (!tok) GTEST_SKIP() << "SmolLM2's GGUF is not in models/weights";
  const std::vector<std::string> breakers{"Chapter One"};
  const Entries got = entries(*dry_breakers(*tok, breakers));
  EXPECT_EQ(got, expected(*tok, breakers));
  // "Chapter" ends with the breaker's beginning: " One" follows it.
  const auto chapter = tok->encode("Chapter", false, false);
  ASSERT_EQ(chapter.size(), 1u);
  EXPECT_TRUE(got.count({chapter[0], tok->encode(" One", false, false)}));
  EXPECT_TRUE(entries(*dry_breakers(*tok, {})).empty());
}

}  // namespace
}  // namespace lmc::tools

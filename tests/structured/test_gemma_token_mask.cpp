// The token mask on a real vocabulary, Gemma 3's 262144 tokens from its GGUF (skipped when
// the weights are not downloaded): equal to the brute-force mask at states inside and
// between an object's keys, strings (mid-character and mid-escape too), numbers and
// arrays; end of generation only once the answer is whole.
#include <gtest/gtest.h>

#include <filesystem>

#include "lmc_test_paths.h"
#include "models/formats/gguf_file.h"
#include "models/tokenizer/tokenizer_from_gguf.h"
#include "structured/schema_compiler.h"
#include "tests/structured/token_mask_check.h"
#include "tools/lmc/generation/constraint_vocabulary.h"

namespace lmc::structured {
namespace {

const std::string kGemma = std::string(LMC_SOURCE_DIR) + "/models/weights/gemma-3-270m-q4_k_m.gguf";

TEST(JsonTokenMaskGemma, EqualsTheBruteForceMask) {
  if (!std::filesystem::exists(kGemma)) GTEST_SKIP() << "weights not downloaded: " << kGemma;
  auto tok = models::Tokenizer::create(models::tokenizer_vocab_from_gguf(*models::GgufFile::open(kGemma)));
  auto vocab = tools::constraint_vocabulary(*tok);
  auto g = compile_schema(nlohmann::ordered_json::parse(
      R"({"type": "object", "properties": {"name": {"type": "string", "maxLength": 12}, "age": {"type": "integer"},
          "tags": {"type": "array", "items": {"enum": ["red", "green"]}}, "extra": {}}, "required": ["name"]})"));
  Matcher m(*g);
  TokenMasker masker(m, *vocab);
  std::vector<uint64_t> bits;
  for (const char* prefix :
       {"", "{", "{\"", "{\"na", "{\"name\":", "{\"name\": \"", "{\"name\": \"Al", "{\"name\":\"Al\\",
        "{\"name\":\"Al\\u00", "{\"name\":\"\xC3", "{\"name\":\"abcdefghijk", "{\"name\":\"x\"", "{\"name\":\"x\", ",
        "{\"name\":\"x\",\"age\":1", "{\"name\":\"x\",\"tags\":[", "{\"name\":\"x\",\"tags\":[\"red\",",
        "{\"name\":\"x\",\"extra\":", "{\"name\":\"x\",\"extra\":{\"k\": "}) {
    State s = m.start();
    ASSERT_TRUE(m.feed(s, prefix)) << prefix;
    masker.allowed(s, TokenMasker::kNoBudget, bits);
    auto expected = testing::brute_force_mask(m, *vocab, s);
    ASSERT_EQ(bits, expected) << "after '" << prefix << "': " << testing::differences(*vocab, bits, expected);
  }
  State whole = m.start();
  ASSERT_TRUE(m.feed(whole, R"({"name":"x"})"));
  EXPECT_TRUE(m.complete(whole));
  for (int32_t id : vocab->eog()) EXPECT_TRUE(tok->is_eog(id));
  EXPECT_FALSE(vocab->eog().empty());
}

}  // namespace
}  // namespace lmc::structured

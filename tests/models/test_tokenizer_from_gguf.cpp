// tokenizer.ggml.* metadata on small GGUFs written byte by byte: both tokenizer families,
// llama.cpp's defaults for absent keys, and errors naming the file and the key.
#include <gtest/gtest.h>

#include <functional>
#include <string>
#include <vector>

#include "models/formats/gguf_file.h"
#include "models/tokenizer/tokenizer.h"
#include "models/tokenizer/tokenizer_from_gguf.h"
#include "tests/models/expect_error.h"
#include "tests/models/gguf_writer.h"
#include "tests/models/temp_dir.h"

namespace lmc::models {
namespace {

using Ids = std::vector<int32_t>;
using test::GgufWriter;

void strings(GgufWriter& w, const std::string& key, const std::vector<std::string>& items) {
  w.key(key, test::kArray).u32(test::kString).u64(items.size());
  for (const std::string& s : items) w.str(s);
}

template <class T>
void numbers(GgufWriter& w, const std::string& key, uint32_t type, const std::vector<T>& items) {
  w.key(key, test::kArray).u32(type).u64(items.size());
  for (T x : items) w.put<T>(x);
}

// A GGUF holding only metadata; `keys` writes `n_keys` of them.
std::string write_gguf(const test::TempDir& dir, uint64_t n_keys, const std::function<void(GgufWriter&)>& keys) {
  GgufWriter w;
  w.bytes.reserve(4096);  // keeps GCC 12 from a false stringop-overflow warning on the first insert
  w.header(0, n_keys);
  keys(w);
  w.pad_to(32);
  std::string path = dir.file("vocab.gguf");
  test::write_bytes(path, w.bytes);
  return path;
}

TokenizerVocab vocab_of(const std::string& path) { return tokenizer_vocab_from_gguf(*GgufFile::open(path)); }

const std::string kMark = "\xE2\x96\x81";  // U+2581

TEST(TokenizerFromGguf, LlamaModelIsSentencePieceWithLlamaCppDefaults) {
  test::TempDir dir;
  std::string path = write_gguf(dir, 5, [](GgufWriter& w) {
    w.key("tokenizer.ggml.model", test::kString).str("llama");
    strings(w, "tokenizer.ggml.tokens", {"<s>", "<0x41>", "a", kMark, kMark + "a"});
    numbers<float>(w, "tokenizer.ggml.scores", test::kF32, {0, 0, -1, -2, -3});
    numbers<int32_t>(w, "tokenizer.ggml.token_type", test::kI32, {3, 6, 1, 1, 1});
    w.key("tokenizer.ggml.bos_token_id", test::kU32).u32(0);
  });
  TokenizerVocab v = vocab_of(path);
  EXPECT_EQ(v.kind, TokenizerVocab::SentencePiece);
  EXPECT_EQ(v.source, path);
  EXPECT_EQ(v.bos, 0);
  EXPECT_EQ(v.eos, -1);
  EXPECT_TRUE(v.add_bos);           // absent keys: llama.cpp's SentencePiece defaults
  EXPECT_TRUE(v.add_space_prefix);
  auto t = Tokenizer::create(v);
  EXPECT_EQ(t->encode("aA", true), (Ids{0, 4, 1}));
  EXPECT_EQ(t->decode(Ids{4, 1}), "aA");
}

TEST(TokenizerFromGguf, Gpt2ModelIsByteLevelWithMerges) {
  test::TempDir dir;
  std::string path = write_gguf(dir, 7, [](GgufWriter& w) {
    w.key("tokenizer.ggml.model", test::kString).str("gpt2");
    w.key("tokenizer.ggml.pre", test::kString).str("smollm");
    strings(w, "tokenizer.ggml.tokens", {"<|im_end|>", "h", "i", "hi", "1", "2", "12"});
    numbers<int32_t>(w, "tokenizer.ggml.token_type", test::kI32, {3, 1, 1, 1, 1, 1, 1});
    strings(w, "tokenizer.ggml.merges", {"h i", "1 2"});
    w.key("tokenizer.ggml.eos_token_id", test::kU32).u32(0);
    w.key("tokenizer.ggml.add_bos_token", test::kBool).put<uint8_t>(0);
  });
  TokenizerVocab v = vocab_of(path);
  EXPECT_EQ(v.kind, TokenizerVocab::ByteLevel);
  EXPECT_EQ(v.pre, "smollm");
  EXPECT_FALSE(v.add_bos);
  EXPECT_FALSE(v.add_space_prefix);
  auto t = Tokenizer::create(v);
  EXPECT_EQ(t->encode("hi12<|im_end|>", false), (Ids{3, 4, 5, 0}));
  EXPECT_TRUE(t->is_eog(0));
}

TEST(TokenizerFromGguf, BadMetadataIsReportedWithFileAndKey) {
  test::TempDir dir;
  auto fails = [&](uint64_t n_keys, const std::function<void(GgufWriter&)>& keys,
                   const std::vector<std::string>& parts) {
    std::string path = write_gguf(dir, n_keys, keys);
    std::vector<std::string> all = parts;
    all.push_back(path);
    test::expect_error([&] { vocab_of(path); }, all);
  };
  fails(1, [](GgufWriter& w) { w.key("tokenizer.ggml.model", test::kString).str("bert"); },
        {"'tokenizer.ggml.model' is 'bert'"});
  fails(1, [](GgufWriter& w) { w.key("tokenizer.ggml.model", test::kString).str("llama"); },
        {"'tokenizer.ggml.tokens' is missing"});
  fails(3,
        [](GgufWriter& w) {
          w.key("tokenizer.ggml.model", test::kString).str("llama");
          strings(w, "tokenizer.ggml.tokens", {"a", "b"});
          numbers<int32_t>(w, "tokenizer.ggml.token_type", test::kI32, {1, 9});
        },
        {"'tokenizer.ggml.token_type' element 1 is 9"});
  fails(3,
        [](GgufWriter& w) {
          w.key("tokenizer.ggml.model", test::kString).str("gpt2");
          strings(w, "tokenizer.ggml.tokens", {"a", "b"});
          strings(w, "tokenizer.ggml.merges", {"ab"});
        },
        {"'tokenizer.ggml.merges' element 0 'ab' is not two tokens"});
  fails(3,
        [](GgufWriter& w) {
          w.key("tokenizer.ggml.model", test::kString).str("llama");
          strings(w, "tokenizer.ggml.tokens", {"a"});
          w.key("tokenizer.ggml.add_bos_token", test::kU32).u32(1);
        },
        {"'tokenizer.ggml.add_bos_token' is not a bool"});
  fails(3,
        [](GgufWriter& w) {
          w.key("tokenizer.ggml.model", test::kString).str("llama");
          strings(w, "tokenizer.ggml.tokens", {"a"});
          w.key("tokenizer.ggml.eos_token_id", test::kI64).put<int64_t>(-7);
        },
        {"'tokenizer.ggml.eos_token_id' = -7 is not a token id"});
}

}  // namespace
}  // namespace lmc::models

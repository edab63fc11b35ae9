// tokenizer.json reading on small files written here: which pipeline means which tokenizer
// family, where BOS/EOS come from, and the errors (with file:line:col) for what lmc cannot
// honour. The full-size vocabularies are covered by test_tokenizer_reference.cpp.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "models/tokenizer/tokenizer.h"
#include "models/tokenizer/tokenizer_from_json.h"
#include "tests/models/expect_error.h"
#include "tests/models/temp_dir.h"

namespace lmc::models {
namespace {

using Ids = std::vector<int32_t>;

class TokenizerFromJson : public ::testing::Test {
 protected:
  std::string write(const std::string& name, const std::string& text) {
    std::string path = dir_.file(name);
    test::write_bytes(path, text.data(), text.size());
    return path;
  }
  TokenizerVocab read(const std::string& tokenizer_json) {
    return tokenizer_vocab_from_json(write("tokenizer.json", tokenizer_json));
  }
  test::TempDir dir_;
};

const char* kByteLevel = R"({
  "added_tokens": [{"id": 3, "content": "<|end|>", "special": true}],
  "normalizer": null,
  "pre_tokenizer": {"type": "ByteLevel", "add_prefix_space": false, "use_regex": true},
  "model": {"type": "BPE", "vocab": {"h": 0, "i": 1, "hi": 2, "<|end|>": 3}, "merges": ["h i"]}
})";

TEST_F(TokenizerFromJson, ByteLevelPreTokenizerMeansGpt2ByteLevel) {
  TokenizerVocab v = read(kByteLevel);
  EXPECT_EQ(v.kind, TokenizerVocab::ByteLevel);
  EXPECT_EQ(v.splits, pre_tokenizer_named("gpt2", "test").splits);
  EXPECT_EQ(v.types, (std::vector<int32_t>{kTokenNormal, kTokenNormal, kTokenNormal, kTokenControl}));
  auto t = Tokenizer::create(v);
  EXPECT_EQ(t->encode("hi<|end|>", false), (Ids{2, 3}));
}

TEST_F(TokenizerFromJson, DigitsBeforeByteLevelMeansSmolLm) {
  TokenizerVocab v = read(R"({
    "pre_tokenizer": {"type": "Sequence", "pretokenizers": [
      {"type": "Digits", "individual_digits": true},
      {"type": "ByteLevel", "add_prefix_space": false, "trim_offsets": true, "use_regex": true}]},
    "model": {"type": "BPE", "vocab": {"1": 0, "2": 1, "12": 2}, "merges": [["1", "2"]]}
  })");
  EXPECT_EQ(v.splits, pre_tokenizer_named("smollm", "test").splits);
  EXPECT_EQ(Tokenizer::create(v)->encode("12", false), (Ids{0, 1}));
}

TEST_F(TokenizerFromJson, Llama3StyleFileSplitsIgnoresMergesAndAddsBosFromItsTemplate) {
  // Llama 3's shape: Split then ByteLevel without its regex, ignore_merges, and the BOS
  // template inside a Sequence of post-processors.
  TokenizerVocab v = read(R"({
    "added_tokens": [{"id": 5, "content": "<|begin_of_text|>", "special": true}],
    "pre_tokenizer": {"type": "Sequence", "pretokenizers": [
      {"type": "Split", "pattern": {"Regex": "\\p{N}{1,3}"}, "behavior": "Isolated", "invert": false},
      {"type": "ByteLevel", "add_prefix_space": false, "trim_offsets": true, "use_regex": false}]},
    "post_processor": {"type": "Sequence", "processors": [
      {"type": "ByteLevel", "add_prefix_space": true, "trim_offsets": false, "use_regex": true},
      {"type": "TemplateProcessing", "single": [{"SpecialToken": {"id": "<|begin_of_text|>", "type_id": 0}},
                                               {"Sequence": {"id": "A", "type_id": 0}}]}]},
    "model": {"type": "BPE", "ignore_merges": true,
              "vocab": {"1": 0, "2": 1, "3": 2, "12": 3, "123": 4, "<|begin_of_text|>": 5}, "merges": ["1 2"]}
  })");
  EXPECT_TRUE(v.ignore_merges);
  EXPECT_EQ(v.bos, 5);
  EXPECT_TRUE(v.add_bos);
  EXPECT_EQ(Tokenizer::create(v)->encode("12312", true), (Ids{5, 4, 3}));  // "123" is no merge's result
}

TEST_F(TokenizerFromJson, ConfigBesideItNamesBosAndEos) {
  write("tokenizer_config.json", R"({"bos_token": "h", "eos_token": {"content": "<|end|>"}, "add_bos_token": true})");
  TokenizerVocab v = read(kByteLevel);
  EXPECT_EQ(v.bos, 0);
  EXPECT_EQ(v.eos, 3);
  EXPECT_TRUE(v.add_bos);
  EXPECT_TRUE(Tokenizer::create(v)->is_eog(3));
}

TEST_F(TokenizerFromJson, MetaspaceMeansSentencePieceWithBytesAndTemplateBos) {
  TokenizerVocab v = read(R"({
    "added_tokens": [{"id": 0, "content": "<s>", "special": true}, {"id": 1, "content": "\n", "special": false}],
    "pre_tokenizer": {"type": "Metaspace", "replacement": "\u2581", "prepend_scheme": "first", "split": false},
    "post_processor": {"type": "TemplateProcessing",
                       "single": [{"SpecialToken": {"id": "<s>", "type_id": 0}}, {"Sequence": {"id": "A", "type_id": 0}}]},
    "model": {"type": "BPE", "byte_fallback": true, "unk_token": null,
              "vocab": {"<s>": 0, "\n": 1, "<0xC3>": 2, "<0xA9>": 3, "\u2581": 4, "a": 5, "\u2581a": 6},
              "merges": ["\u2581 a"]}
  })");
  EXPECT_EQ(v.kind, TokenizerVocab::SentencePiece);
  EXPECT_TRUE(v.add_space_prefix);
  EXPECT_TRUE(v.space_prefix_if_missing);
  EXPECT_TRUE(v.space_prefix_first_only);
  EXPECT_FALSE(v.split_at_space_mark);
  EXPECT_EQ(v.bos, 0);
  EXPECT_TRUE(v.add_bos);
  EXPECT_EQ(v.types, (std::vector<int32_t>{kTokenControl, kTokenUserDefined, kTokenByte, kTokenByte, kTokenNormal,
                                           kTokenNormal, kTokenNormal}));
  auto t = Tokenizer::create(v);
  Ids ids = t->encode("a\n\xC3\xA9", true);  // "a\né"
  // As in HF, prepend_scheme "first" puts U+2581 only at the start of the text, not after "\n".
  EXPECT_EQ(ids, (Ids{0, 6, 1, 2, 3}));
  EXPECT_EQ(t->decode(ids), "<s>a\n\xC3\xA9");
}

TEST_F(TokenizerFromJson, ReplaceNormalizerWithNoOpSplitIsGemmaStyle) {
  TokenizerVocab v = read(R"({
    "normalizer": {"type": "Replace", "pattern": {"String": " "}, "content": "\u2581"},
    "pre_tokenizer": {"type": "Split", "pattern": {"String": " "}, "behavior": "MergedWithPrevious", "invert": false},
    "model": {"type": "BPE", "byte_fallback": true, "vocab": {"a": 0, "\u2581": 1, "\u2581a": 2}, "merges": [["\u2581", "a"]]}
  })");
  EXPECT_EQ(v.kind, TokenizerVocab::SentencePiece);
  EXPECT_FALSE(v.add_space_prefix);
  EXPECT_EQ(Tokenizer::create(v)->encode("a a", false), (Ids{0, 2}));
}

TEST_F(TokenizerFromJson, UnsupportedContentIsReportedWhereItIs) {
  std::string path = dir_.file("tokenizer.json");
  auto fails = [&](const std::string& text, const std::vector<std::string>& parts) {
    write("tokenizer.json", text);
    test::expect_error([&] { tokenizer_vocab_from_json(path); }, parts);
  };
  fails(R"({"model": {"type": "Unigram", "vocab": []}})", {path + ":1:20: error:", "'Unigram' is not BPE"});
  fails(R"({"normalizer": {"type": "Lowercase"}, "pre_tokenizer": {"type": "ByteLevel", "add_prefix_space": false},
            "model": {"type": "BPE", "vocab": {}, "merges": []}})",
        {path + ":1:16: error:", "unsupported normalizer 'Lowercase'"});
  const std::string byte_level = R"(, {"type": "ByteLevel", "add_prefix_space": false, "use_regex": false}]},
            "model": {"type": "BPE", "vocab": {}, "merges": []}})";
  fails(R"({"pre_tokenizer": {"type": "Sequence", "pretokenizers": [
            {"type": "Split", "pattern": {"Regex": "(?<=x"}, "behavior": "Isolated", "invert": false})" +
            byte_level,
        {path + ":2:42: error:", "regex is not valid at offset 5"});
  fails(R"({"pre_tokenizer": {"type": "Sequence", "pretokenizers": [
            {"type": "Split", "pattern": {"Regex": "x"}, "behavior": "Merged", "invert": false})" +
            byte_level,
        {path + ":2:70: error:", "unsupported Split behavior 'Merged'", "MergedWithNext"});
  fails(R"({"pre_tokenizer": {"type": "Metaspace", "replacement": "\u2581", "prepend_scheme": "sometimes"},
            "model": {"type": "BPE", "vocab": {}, "merges": []}})",
        {path + ":1:84: error:", "unknown Metaspace prepend_scheme 'sometimes'"});
  fails(R"({"pre_tokenizer": {"type": "Whitespace"}, "model": {"type": "BPE", "vocab": {}, "merges": []}})",
        {"unsupported pre-tokenizer step 'Whitespace'"});
  fails(R"({"pre_tokenizer": {"type": "ByteLevel", "add_prefix_space": false},
            "model": {"type": "BPE", "vocab": {"a": 0, "b": 2}, "merges": []}})",
        {"no token has id 1"});
  fails(R"({"pre_tokenizer": {"type": "ByteLevel", "add_prefix_space": false},
            "model": {"type": "BPE", "vocab": {"a": 0}, "merges": ["a b c"]}})",
        {"merge 'a b c' is not two tokens separated by one space"});
  fails(R"({"pre_tokenizer": {"type": "ByteLevel", "add_prefix_space": false},
            "model": {"type": "BPE", "end_of_word_suffix": "</w>", "vocab": {"a": 0}, "merges": []}})",
        {"'end_of_word_suffix' is not supported"});
  fails(R"({"model": {"type": "BPE", "vocab": {"a": 0}, "merges": []}})", {"neither byte-level", "nor SentencePiece"});
}

TEST_F(TokenizerFromJson, ConfigNamingAnUnknownTokenIsAnError) {
  std::string config = write("tokenizer_config.json", R"({"eos_token": "</s>"})");
  test::expect_error([&] { read(kByteLevel); }, {config + ":1:15: error:", "token '</s>' is not in the vocabulary"});
}

}  // namespace
}  // namespace lmc::models

// Tokenizer mechanics on small hand-made vocabularies, where every expected id can be
// worked out by hand: merge order, byte fallback, special tokens, pre-tokenization,
// streaming, and the errors a bad vocabulary raises.
#include <gtest/gtest.h>

#include <map>
#include <string>
#include <vector>

#include "models/tokenizer/tokenizer.h"
#include "models/tokenizer/tokenizer_byte_map.h"
#include "models/tokenizer/tokenizer_io.h"
#include "models/tokenizer/tokenizer_pretokenizer.h"
#include "models/tokenizer/tokenizer_stream_decoder.h"
#include "models/tokenizer/tokenizer_unicode.h"
#include "support/error.h"
#include "tests/models/expect_error.h"

namespace lmc::models {
namespace {

using Ids = std::vector<int32_t>;

int32_t add(TokenizerVocab& v, const std::string& text, float score = 0, int32_t type = kTokenNormal) {
  v.tokens.push_back(text);
  v.scores.push_back(score);
  v.types.push_back(type);
  return static_cast<int32_t>(v.tokens.size()) - 1;
}

// <unk> <s> </s> "\n"(user-defined), the 256 byte tokens, then the pieces given.
TokenizerVocab sentencepiece_vocab(const std::vector<std::pair<std::string, float>>& pieces) {
  TokenizerVocab v;
  v.kind = TokenizerVocab::SentencePiece;
  v.source = "test-spm";
  v.unk = add(v, "<unk>", 0, kTokenUnknown);
  v.bos = add(v, "<s>", 0, kTokenControl);
  v.eos = add(v, "</s>", 0, kTokenControl);
  add(v, "\n", 0, kTokenUserDefined);
  static const char* kHex = "0123456789ABCDEF";
  for (int b = 0; b < 256; ++b) add(v, std::string("<0x") + kHex[b >> 4] + kHex[b & 15] + ">", 0, kTokenByte);
  for (const auto& [text, score] : pieces) add(v, text, score);
  return v;
}

constexpr int32_t kByte0 = 4;  // id of <0x00> in sentencepiece_vocab
const std::string kMark = "\xE2\x96\x81";

int32_t id(const Tokenizer& t, const std::string& text) {
  auto found = t.find(text);
  EXPECT_TRUE(found) << text;
  return found.value_or(-1);
}

TEST(TokenizerSentencePiece, MergesTheBestScoringPairFirst) {
  auto ab_first = Tokenizer::create(sentencepiece_vocab({{"a", -1}, {"b", -1}, {"c", -1}, {"ab", -2}, {"bc", -3}}));
  EXPECT_EQ(ab_first->encode("abc", false), (Ids{id(*ab_first, "ab"), id(*ab_first, "c")}));
  auto bc_first = Tokenizer::create(sentencepiece_vocab({{"a", -1}, {"b", -1}, {"c", -1}, {"ab", -3}, {"bc", -2}}));
  EXPECT_EQ(bc_first->encode("abc", false), (Ids{id(*bc_first, "a"), id(*bc_first, "bc")}));
}

TEST(TokenizerSentencePiece, TiesMergeLeftmostFirst) {
  auto t = Tokenizer::create(sentencepiece_vocab({{"a", -1}, {"aa", -2}}));
  EXPECT_EQ(t->encode("aaa", false), (Ids{id(*t, "aa"), id(*t, "a")}));
}

TEST(TokenizerSentencePiece, SpacesBecomeTheMetaSymbolAndDecodeBack) {
  auto t = Tokenizer::create(sentencepiece_vocab({{"a", -1}, {"b", -1}, {kMark, -1}, {kMark + "b", -2}}));
  Ids ids = t->encode("a b", false);
  EXPECT_EQ(ids, (Ids{id(*t, "a"), id(*t, kMark + "b")}));
  EXPECT_EQ(t->decode(ids), "a b");
}

TEST(TokenizerSentencePiece, UnknownCharactersFallBackToBytes) {
  auto t = Tokenizer::create(sentencepiece_vocab({{"a", -1}}));
  Ids ids = t->encode("a\xC3\xA9", false);  // "aé": é is not in the vocab
  EXPECT_EQ(ids, (Ids{id(*t, "a"), kByte0 + 0xC3, kByte0 + 0xA9}));
  EXPECT_EQ(t->decode(ids), "a\xC3\xA9");
}

TEST(TokenizerSentencePiece, WithoutByteTokensUnknownCharactersBecomeUnk) {
  TokenizerVocab v;
  v.source = "tiny";
  v.unk = add(v, "<unk>", 0, kTokenUnknown);
  add(v, "a");
  auto t = Tokenizer::create(v);
  EXPECT_EQ(t->encode("ax", false), (Ids{1, 0}));
}

TEST(TokenizerSentencePiece, SpacePrefixStartsTheTextAndFollowsSpecialTokens) {
  TokenizerVocab v = sentencepiece_vocab({{"a", -1}, {kMark, -1}, {kMark + "a", -2}});
  v.add_space_prefix = true;
  auto t = Tokenizer::create(v);
  int32_t space_a = id(*t, kMark + "a");
  EXPECT_EQ(t->encode("a", false), (Ids{space_a}));
  EXPECT_EQ(t->encode("<s>a", false), (Ids{t->bos(), space_a}));
  EXPECT_EQ(t->decode(t->encode("<s>a a", false)), "<s>a a");
  EXPECT_EQ(t->decode(t->encode(" a", false)), " a");
}

TEST(TokenizerSpecials, ControlTokensMatchOnlyWhenAsked) {
  auto t = Tokenizer::create(sentencepiece_vocab({{"<", -1}, {"s", -1}, {">", -1}, {"x", -1}}));
  EXPECT_EQ(t->encode("x<s>x", false), (Ids{id(*t, "x"), t->bos(), id(*t, "x")}));
  EXPECT_EQ(t->encode("x<s>x", false, false), (Ids{id(*t, "x"), id(*t, "<"), id(*t, "s"), id(*t, ">"), id(*t, "x")}));
  // User-defined tokens are always whole.
  EXPECT_EQ(t->encode("x\nx", false, false), (Ids{id(*t, "x"), id(*t, "\n"), id(*t, "x")}));
}

TEST(TokenizerSpecials, LongestSpecialWinsAndBosIsAddedOnRequest) {
  TokenizerVocab v = sentencepiece_vocab({{"x", -1}});
  int32_t turn = add(v, "<turn>", 0, kTokenControl);
  int32_t turn_end = add(v, "<turn>>", 0, kTokenControl);
  auto t = Tokenizer::create(v);
  EXPECT_EQ(t->encode("<turn>>x<turn>", true), (Ids{t->bos(), turn_end, id(*t, "x"), turn}));
  EXPECT_TRUE(t->is_control(turn));
  EXPECT_FALSE(t->is_control(id(*t, "x")));
}

TEST(TokenizerSpecials, EndOfTurnTokensEndGeneration) {
  TokenizerVocab v = sentencepiece_vocab({{"x", -1}});
  int32_t end_of_turn = add(v, "<end_of_turn>", 0, kTokenControl);
  auto t = Tokenizer::create(v);
  EXPECT_TRUE(t->is_eog(t->eos()));
  EXPECT_TRUE(t->is_eog(end_of_turn));
  EXPECT_FALSE(t->is_eog(t->bos()));
  EXPECT_FALSE(t->is_eog(id(*t, "x")));
}

// The 256 byte characters as tokens 0..255, then merged tokens.
TokenizerVocab byte_level_vocab(const std::vector<std::pair<std::string, std::string>>& merges) {
  TokenizerVocab v;
  v.kind = TokenizerVocab::ByteLevel;
  v.splits = pre_tokenizer_named("gpt2", "test").splits;
  v.source = "test-bytes";
  for (int b = 0; b < 256; ++b) {
    std::string c;
    append_utf8(c, byte_to_char(static_cast<uint8_t>(b)));
    add(v, c);
  }
  for (const auto& [l, r] : merges) add(v, l + r);
  v.merges = merges;
  v.eos = add(v, "<|im_end|>", 0, kTokenControl);
  return v;
}

const std::string kG = "\xC4\xA0";  // "Ġ", the byte-level spelling of a space

TEST(TokenizerByteLevel, MergesByRankWithinPreTokenizedWords) {
  auto t = Tokenizer::create(byte_level_vocab({{"h", "e"}, {kG, "t"}, {kG + "t", "he"}}));
  EXPECT_EQ(t->encode(" the", false), (Ids{id(*t, kG + "the")}));
  EXPECT_EQ(t->encode("the", false), (Ids{'t', id(*t, "he")}));
  // "a the": the space belongs to the word after it.
  EXPECT_EQ(t->encode("a the", false), (Ids{'a', id(*t, kG + "the")}));
  EXPECT_EQ(t->decode(t->encode("a the\n", false)), "a the\n");
}

TEST(TokenizerByteLevel, SmolLmSplitsEveryDigit) {
  TokenizerVocab v = byte_level_vocab({{"1", "2"}});
  auto gpt2 = Tokenizer::create(v);
  EXPECT_EQ(gpt2->encode("12", false), (Ids{id(*gpt2, "12")}));
  v.splits = pre_tokenizer_named("smollm", "test").splits;
  auto smollm = Tokenizer::create(v);
  EXPECT_EQ(smollm->encode("12", false), (Ids{'1', '2'}));
}

TEST(TokenizerByteLevel, IgnoreMergesTakesAWordThatIsAToken) {
  // "abc" is a token the merges never build: b+c merges first, and nothing joins a to bc.
  TokenizerVocab v = byte_level_vocab({{"b", "c"}});
  add(v, "abc");
  EXPECT_EQ(Tokenizer::create(v)->encode("abc", false), (Ids{'a', id(*Tokenizer::create(v), "bc")}));
  v.ignore_merges = true;
  auto t = Tokenizer::create(v);
  EXPECT_EQ(t->encode("abc abcd", false), (Ids{id(*t, "abc"), id(*t, kG), 'a', id(*t, "bc"), 'd'}));
  EXPECT_EQ(t->encode("<|im_end|>", false, false), (Ids{'<', '|', 'i', 'm', '_', 'e', 'n', 'd', '|', '>'}));
  EXPECT_TRUE(pre_tokenizer_named("llama-bpe", "test").ignore_merges);
  EXPECT_TRUE(pre_tokenizer_named("tekken", "test").ignore_merges);
  EXPECT_FALSE(pre_tokenizer_named("smaug-bpe", "test").ignore_merges);
}

TEST(TokenizerByteLevel, OddUtf8RoundTripsUnderEveryNamedPreTokenizer) {
  // Bytes HF's API cannot even take: stray continuations, truncated and overlong sequences,
  // an encoded surrogate, NUL, and invalid bytes between letters, digits and spaces.
  const std::string odd = std::string("a\x80\xBF b\xC3 \xE2\x82 12\xF0\x9F\x98 \xC0\xAF\xED\xA0\x80x") + '\0' +
                          "\xFF\xFE  \xCC\x81\xC3\xA9 \xF4\x90\x80\x80'S";
  for (const char* name :
       {"default", "gpt2", "smollm", "llama-bpe", "dbrx", "qwen2", "stablelm2", "tekken", "gpt-4o"}) {
    TokenizerVocab v = byte_level_vocab({{"a", "b"}});
    NamedPreTokenizer pre = pre_tokenizer_named(name, "test");
    v.splits = pre.splits;
    v.normalizer = pre.normalizer;
    v.ignore_merges = pre.ignore_merges;
    auto t = Tokenizer::create(v);
    EXPECT_EQ(t->decode(t->encode(odd, false)), odd) << name;
  }
}

TEST(TokenizerByteLevel, ControlTokensDecodeAsWritten) {
  auto t = Tokenizer::create(byte_level_vocab({{"h", "i"}}));
  Ids ids = t->encode("hi<|im_end|>", false);
  EXPECT_EQ(ids, (Ids{id(*t, "hi"), t->eos()}));
  EXPECT_EQ(t->decode(ids), "hi<|im_end|>");
}

using Pieces = std::vector<std::string_view>;

Pieces pre_tokenize(const std::string& name, std::string_view text) {
  static std::map<std::string, PreTokenizer> made;
  auto it = made.find(name);
  if (it == made.end()) it = made.emplace(name, PreTokenizer(pre_tokenizer_named(name, "test").splits, "test")).first;
  static std::deque<std::string> prefixed;
  return it->second.split(text, prefixed);
}

TEST(PreTokenizer, FollowsGpt2Pattern) {
  // Expected splits come from Python's `regex` module running GPT-2's pattern.
  EXPECT_EQ(pre_tokenize("gpt2", "Hello  world\n\n  x's 123 ?!"),
            (Pieces{"Hello", " ", " world", "\n\n ", " x", "'s", " 123", " ?!"}));
  EXPECT_EQ(pre_tokenize("gpt2", "a\tb  \n c"), (Pieces{"a", "\t", "b", "  \n", " c"}));
  EXPECT_EQ(pre_tokenize("gpt2", "don''t  "), (Pieces{"don", "''", "t", "  "}));
  EXPECT_EQ(pre_tokenize("gpt2", "x\xC2\xB2\xC2\xBD\xE2\x85\xAB\xD9\xA3 42"),  // x²½Ⅻ٣ 42
            (Pieces{"x", "\xC2\xB2\xC2\xBD\xE2\x85\xAB\xD9\xA3", " 42"}));
  EXPECT_EQ(pre_tokenize("gpt2", "  \xE3\x80\x80\xE6\x97\xA5\xE6\x9C\xAC \xE8\xAA\x9E"),  // "  　日本 語"
            (Pieces{"  ", "\xE3\x80\x80", "\xE6\x97\xA5\xE6\x9C\xAC", " \xE8\xAA\x9E"}));
}

TEST(PreTokenizer, SmolLmIsolatesNumbersBeforeGpt2Pattern) {
  EXPECT_EQ(pre_tokenize("smollm", "ab 123x"), (Pieces{"ab", " ", "1", "2", "3", "x"}));
}

TEST(PreTokenizer, Llama3GroupsDigitsByThreeAndKeepsCaseInsensitiveContractions) {
  EXPECT_EQ(pre_tokenize("llama-bpe", "I'LL pay 1234567!\n\nok"),
            (Pieces{"I", "'LL", " pay", " ", "123", "456", "7", "!\n\n", "ok"}));
}

Pieces split_with(const PreSplit& step, std::string_view text) {
  static std::vector<PreTokenizer> made;  // the pieces point into the text, not the step
  made.emplace_back(std::vector<PreSplit>{step}, "test");
  static std::deque<std::string> prefixed;
  return made.back().split(text, prefixed);
}

TEST(PreTokenizer, SplitBehaviorsFollowHuggingFace) {
  // Expected pieces come from tokenizers' pre_tokenizers.Split(Regex(","), behavior, invert).
  using B = SplitBehavior;
  const std::string_view text = "a,,b, c,";
  EXPECT_EQ(split_with({",", B::Isolated}, text), (Pieces{"a", ",", ",", "b", ",", " c", ","}));
  EXPECT_EQ(split_with({",", B::Removed}, text), (Pieces{"a", "b", " c"}));
  EXPECT_EQ(split_with({",", B::Removed, true}, text), (Pieces{",", ",", ",", ","}));
  EXPECT_EQ(split_with({",", B::MergedWithPrevious}, text), (Pieces{"a,", ",", "b,", " c,"}));
  EXPECT_EQ(split_with({",", B::MergedWithPrevious, true}, text), (Pieces{"a", ",", ",b", ", c", ","}));
  EXPECT_EQ(split_with({",", B::MergedWithNext}, text), (Pieces{"a", ",", ",b", ", c", ","}));
  EXPECT_EQ(split_with({",", B::MergedWithNext, true}, text), (Pieces{"a,", ",", "b,", " c,"}));
  EXPECT_EQ(split_with({",", B::Contiguous}, text), (Pieces{"a", ",,", "b", ",", " c", ","}));
}

TEST(PreTokenizer, PrefixSpaceGoesInFrontOfEveryPieceLackingOne) {
  // tokenizers' Sequence([Digits(individual_digits=True), ByteLevel(add_prefix_space=True)]) on "ab12 c".
  PreTokenizer pre({{R"(\p{N})"}, {kGpt2Pattern, SplitBehavior::Isolated, false, true}}, "test");
  std::deque<std::string> prefixed;
  EXPECT_EQ(pre.split("ab12 c", prefixed), (Pieces{" ab", " 1", " 2", " c"}));
  EXPECT_EQ(pre.split("", prefixed), Pieces{});
}

TEST(PreTokenizer, EmptyMatchesCountAsOnigurumaFindsThem) {
  // An empty match right after a match is skipped, so "x*" does not cut "b" from "c" twice.
  using B = SplitBehavior;
  EXPECT_EQ(split_with({"x*", B::Isolated}, "axxbc"), (Pieces{"a", "xx", "b", "c"}));
  EXPECT_EQ(split_with({"x*", B::MergedWithPrevious}, "axxbc"), (Pieces{"axx", "b", "c"}));
  EXPECT_EQ(split_with({"x*", B::MergedWithNext}, "axxbc"), (Pieces{"a", "xxb", "c"}));
}

TEST(PreTokenizer, RegexPastPcre2LimitsIsAnError) {
  PreTokenizer catastrophic({{R"((\w+\s?)+$)"}}, "tokenizer.json:3:14");
  std::deque<std::string> prefixed;
  test::expect_error([&] { catastrophic.split(std::string(40, 'a') + "!", prefixed); },
                     {"tokenizer.json:3:14", "pre-tokenizer regex failed", "limit"});
}

TEST(PreTokenizer, SplitStepsSurviveTheArtifact) {
  TokenizerVocab v = byte_level_vocab({{"h", "i"}});
  v.splits = {{"#step#", SplitBehavior::MergedWithNext, true},
              {"\\p{N}", SplitBehavior::Contiguous, false, true},
              {"", SplitBehavior::Isolated, false, true}};
  EXPECT_EQ(deserialize_vocab(serialize_vocab(v), "artifact").splits, v.splits);
  std::string bytes = serialize_vocab(v);
  size_t at = bytes.find("#step#") + 6;  // the first step's behavior follows its regex
  bytes[at] = 9;
  test::expect_error([&] { deserialize_vocab(bytes, "artifact"); }, {"artifact:tokenizer", "unknown split behavior"});
}

TEST(PreTokenizer, InvalidUtf8StaysInThePieces) {
  std::string text =
      "ab\xFF\xFE"
      "cd 12";
  std::string joined;
  for (std::string_view p : pre_tokenize("qwen2", text)) joined += p;
  EXPECT_EQ(joined, text);
}

TEST(PreTokenizer, UnknownNameIsAnError) {
  test::expect_error([] { pre_tokenizer_named("falcon-7", "vocab.gguf: tokenizer.ggml.pre"); },
                     {"vocab.gguf: tokenizer.ggml.pre", "'falcon-7'", "llama-bpe", "qwen2", "tekken"});
}

TEST(Unicode, NormalizesToNfcAndNfkc) {
  const std::string decomposed = "e\xCC\x81";  // e + combining acute
  EXPECT_EQ(normalize("NFC", decomposed), "\xC3\xA9");
  EXPECT_EQ(normalize("NFC", "\xEF\xAC\x81"), "\xEF\xAC\x81");  // the ligature fi stays under NFC
  EXPECT_EQ(normalize("NFKC", "\xEF\xAC\x81"), "fi");
  EXPECT_EQ(normalize("", decomposed), decomposed);
  EXPECT_EQ(normalize("NFC", "a\xFF"), "a\xFF");  // not UTF-8: unchanged
}

TEST(Unicode, MalformedUtf8StepsOneByte) {
  EXPECT_EQ(utf8_at("\xE2\x82", 0).size, 1u);          // truncated
  EXPECT_EQ(utf8_at("\xC0\x80", 0).cp, kInvalidUtf8);  // overlong
  EXPECT_EQ(utf8_at("\xED\xA0\x80", 0).cp, kInvalidUtf8);  // surrogate
  EXPECT_EQ(utf8_at("\xF0\x9F\x8E\x89", 0).cp, 0x1F389u);
  EXPECT_EQ(utf8_complete_prefix("ab\xF0\x9F\x8E"), 2u);
  EXPECT_EQ(utf8_complete_prefix("ab\xF0\x9F\x8E\x89"), 6u);
}

TEST(StreamDecoder, HoldsBytesUntilTheCharacterIsComplete) {
  auto t = Tokenizer::create(sentencepiece_vocab({{"a", -1}}));
  Ids ids = t->encode("a\xF0\x9F\x8E\x89", false);  // "a🎉": the emoji is four byte tokens
  ASSERT_EQ(ids.size(), 5u);
  StreamDecoder stream(*t);
  EXPECT_EQ(stream.push(ids[0]), "a");
  EXPECT_EQ(stream.push(ids[1]), "");
  EXPECT_EQ(stream.push(ids[2]), "");
  EXPECT_EQ(stream.push(ids[3]), "");
  EXPECT_EQ(stream.push(ids[4]), "\xF0\x9F\x8E\x89");
  EXPECT_EQ(stream.flush(), "");
}

TEST(StreamDecoder, FlushReleasesAnUnfinishedCharacter) {
  auto t = Tokenizer::create(sentencepiece_vocab({}));
  StreamDecoder stream(*t);
  EXPECT_EQ(stream.push(kByte0 + 0xE2), "");
  EXPECT_EQ(stream.flush(), "\xE2");
}

void expect_error(TokenizerVocab v, const std::string& needle) {
  test::expect_error([&] { Tokenizer::create(std::move(v)); }, {needle});
}

TEST(TokenizerErrors, InconsistentVocabulariesAreRejectedWithTheirSource) {
  TokenizerVocab short_scores = sentencepiece_vocab({{"a", -1}});
  short_scores.scores.pop_back();
  expect_error(short_scores, "test-spm: error: tokenizer has 261 tokens but 260 scores");

  TokenizerVocab bad_bos = sentencepiece_vocab({});
  bad_bos.bos = 999;
  expect_error(bad_bos, "BOS token id 999 is outside");

  TokenizerVocab bad_type = sentencepiece_vocab({});
  bad_type.types[5] = 9;
  expect_error(bad_type, "unknown token type 9");

  TokenizerVocab bad_byte = sentencepiece_vocab({});
  bad_byte.tokens[kByte0] = "<0xZZ>";
  expect_error(bad_byte, "is spelled '<0xZZ>'");

  TokenizerVocab bad_merge = byte_level_vocab({{"h", "i"}});
  bad_merge.merges.push_back({"h", "zz"});
  expect_error(bad_merge, "merge 1 ('h', 'zz')");

  TokenizerVocab no_merges = byte_level_vocab({});
  expect_error(no_merges, "byte-level tokenizer has no merges");
}

TEST(TokenizerErrors, TokenIdsOutsideTheVocabularyThrow) {
  auto t = Tokenizer::create(sentencepiece_vocab({}));
  EXPECT_THROW(t->token_text(-1), Error);
  EXPECT_THROW(t->token_text(static_cast<int32_t>(t->size())), Error);
}

TEST(TokenizerErrors, UnencodableBytesWithoutUnknownTokenThrow) {
  TokenizerVocab v;
  v.source = "tiny";
  add(v, "a");
  auto t = Tokenizer::create(v);
  test::expect_error([&] { t->encode("b", false); }, {"tiny: error: cannot encode byte 0x62"});
}

}  // namespace
}  // namespace lmc::models

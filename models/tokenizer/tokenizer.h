// Text <-> token ids for the two BPE families lmc runs: SentencePiece-style BPE with byte
// fallback (Gemma, Llama) and GPT-2 byte-level BPE (GPT-2, SmolLM2). One Tokenizer serves
// both; a TokenizerVocab says which, and is filled from a GGUF (tokenizer_from_gguf.h) or
// an HF tokenizer.json (tokenizer_from_json.h).
#pragma once
#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "models/tokenizer/tokenizer_bpe_merge.h"
#include "models/tokenizer/tokenizer_merge_table.h"
#include "models/tokenizer/tokenizer_pretokenizer.h"
#include "models/tokenizer/tokenizer_special_matcher.h"
#include "models/tokenizer/tokenizer_token_table.h"

namespace lmc::models {

// GGUF's token types (llama.cpp's llama_token_type).
enum TokenType : int32_t {
  kTokenNormal = 1,
  kTokenUnknown = 2,
  kTokenControl = 3,
  kTokenUserDefined = 4,
  kTokenUnused = 5,
  kTokenByte = 6,
};

// All of a vocabulary but its per-token tables: what the tokenizer keeps as it was read.
struct TokenizerSettings {
  enum Kind { SentencePiece, ByteLevel } kind = SentencePiece;
  int32_t bos = -1, eos = -1, unk = -1, pad = -1;
  bool add_bos = false, add_space_prefix = false;
  // SentencePiece: how a tokenizer.json Metaspace prefixes the space. Only where the text does
  // not already start with one, and with prepend_scheme "first" only at the very start of
  // the text; SentencePiece itself (a GGUF, a Prepend normalizer) also prefixes text that
  // already starts with a space and text that follows a special token.
  bool space_prefix_if_missing = false, space_prefix_first_only = false;
  // SentencePiece: a Metaspace with "split" merges each word (a U+2581 and what follows it up
  // to the next) on its own.
  bool split_at_space_mark = false;
  std::string pre;               // what the pre-tokenizer was named (GGUF's tokenizer.ggml.pre), for display
  std::vector<PreSplit> splits;  // ByteLevel: the pre-tokenizer's regex steps
  std::string normalizer;        // ByteLevel: "", "NFC" or "NFKC", applied before the splits
  bool ignore_merges = false;    // a piece that is a token in the vocabulary is not merged
  std::string source;  // file the vocab came from, for error messages
};

// A vocabulary as the readers fill it and the artifact stores it. The Tokenizer keeps its
// tables in compact forms instead (tokenizer_token_table.h, tokenizer_merge_table.h).
struct TokenizerVocab : TokenizerSettings {
  std::vector<std::string> tokens;
  std::vector<float> scores;   // empty means all 0
  std::vector<int32_t> types;  // TokenType per token; empty means all normal
  // Ranked merges (first = most urgent). Empty for a SentencePiece vocab means "merge by score".
  std::vector<std::pair<std::string, std::string>> merges;
};

class Tokenizer {
 public:
  // Checks the vocab for consistency; throws lmc::Error naming vocab.source.
  static std::unique_ptr<Tokenizer> create(TokenizerVocab vocab);

  // parse_special: control tokens written in the text ("<start_of_turn>") become their ids, as
  // llama.cpp and HF do for prompts; pass false for untrusted text so it cannot forge them.
  // User-defined tokens ("\n\n", "<table>") are always matched whole.
  std::vector<int32_t> encode(std::string_view text, bool add_bos, bool parse_special = true) const;
  // decode(encode(s)) == s, except that a SentencePiece vocabulary reads a literal U+2581 in s
  // as a space (as SentencePiece and HF do).
  std::string decode(std::span<const int32_t> ids) const;
  // The bytes one token contributes (possibly part of a UTF-8 character).
  std::string token_text(int32_t id) const;

  size_t size() const { return tokens_.size(); }
  int32_t bos() const { return settings_.bos; }
  int32_t eos() const { return settings_.eos; }
  bool wants_bos() const { return settings_.add_bos; }  // whether the model expects encode(..., true)
  bool is_eog(int32_t id) const;                        // ends a generation turn
  bool is_control(int32_t id) const;
  // Writes text when generated: not a control, unknown or unused token.
  bool is_text(int32_t id) const;
  std::optional<int32_t> find(std::string_view token) const;
  const TokenizerSettings& settings() const { return settings_; }

 private:
  explicit Tokenizer(TokenizerSettings settings) : settings_(std::move(settings)) {}
  int32_t type(int32_t id) const { return types_[static_cast<size_t>(id)]; }
  bool is_special(int32_t id) const;  // matched whole in text: control, unknown, user-defined
  void take_tables(TokenizerVocab& vocab);
  void index_tokens();
  void index_merges(const std::vector<std::pair<std::string, std::string>>& merges);
  void index_byte_tokens();
  void encode_sentencepiece(std::string_view text, bool prefix_space, std::vector<int32_t>& out) const;
  bool prefixes_space(bool after_special, bool at_start) const;
  void encode_byte_level(std::string_view text, std::vector<int32_t>& out) const;
  void encode_piece(std::string_view piece, std::vector<int32_t>& out) const;
  std::vector<BpeSymbol> merge(std::string_view piece) const;
  void emit(std::string_view piece, const std::vector<BpeSymbol>& symbols, std::vector<int32_t>& out) const;
  int32_t fallback_for_byte(uint8_t byte) const;
  // The token BPE may build from this text: not a control, unknown, byte or unused one.
  std::optional<int32_t> mergeable(std::string_view text) const;

  TokenizerSettings settings_;
  TokenTable tokens_;
  std::vector<uint8_t> types_;  // TokenType per token
  // SentencePiece without merges ranks a pair by its token's score; empty when merges rank.
  std::vector<float> scores_;
  MergeTable merges_;
  std::array<int32_t, 256> byte_token_;  // SentencePiece <0xNN> token, or ByteLevel token of the byte's char
  std::vector<int32_t> eog_;
  PreTokenizer pre_;
  SpecialMatcher all_specials_;
  SpecialMatcher user_defined_;
};

}  // namespace lmc::models

#include "models/tokenizer/tokenizer.h"

#include <algorithm>
#include <array>
#include <deque>

#include "models/tokenizer/tokenizer_byte_map.h"
#include "models/tokenizer/tokenizer_unicode.h"
#include "support/error.h"

namespace lmc::models {
namespace {

constexpr std::string_view kSpaceMark = "\xE2\x96\x81";  // U+2581, SentencePiece's space

// Spellings of the control tokens that end a chat turn in the model families lmc knows.
constexpr std::array<std::string_view, 6> kEndOfTurn = {"<end_of_turn>", "<|im_end|>", "<|endoftext|>",
                                                        "<|eot_id|>",    "<|eom_id|>", "<|end|>"};

std::optional<uint8_t> parse_byte_token(std::string_view text) {
  if (text.size() != 6 || text.substr(0, 3) != "<0x" || text[5] != '>') return std::nullopt;
  auto hex = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    return -1;
  };
  int hi = hex(text[3]), lo = hex(text[4]);
  if (hi < 0 || lo < 0) return std::nullopt;
  return static_cast<uint8_t>(hi * 16 + lo);
}

void check_id(const TokenizerVocab& v, int32_t id, const char* what) {
  if (id < -1 || id >= static_cast<int32_t>(v.tokens.size()))
    throw error_at(v.source, std::string(what) + " token id " + std::to_string(id) + " is outside the vocabulary of " +
                                 std::to_string(v.tokens.size()));
}

void check_vocab(TokenizerVocab& v) {
  if (v.tokens.empty()) throw error_at(v.source, "tokenizer vocabulary is empty");
  if (v.scores.empty()) v.scores.assign(v.tokens.size(), 0.0f);
  if (v.types.empty()) v.types.assign(v.tokens.size(), kTokenNormal);
  if (v.scores.size() != v.tokens.size() || v.types.size() != v.tokens.size())
    throw error_at(v.source, "tokenizer has " + std::to_string(v.tokens.size()) + " tokens but " +
                                 std::to_string(v.scores.size()) + " scores and " + std::to_string(v.types.size()) +
                                 " token types");
  for (size_t i = 0; i < v.types.size(); ++i)
    if (v.types[i] < 0 || v.types[i] > kTokenByte)
      throw error_at(v.source, "token " + std::to_string(i) + " has unknown token type " + std::to_string(v.types[i]));
  check_id(v, v.bos, "BOS");
  check_id(v, v.eos, "EOS");
  check_id(v, v.unk, "unknown");
  check_id(v, v.pad, "padding");
  if (v.kind == TokenizerVocab::ByteLevel && v.merges.empty())
    throw error_at(v.source, "byte-level tokenizer has no merges");
  if (!v.normalizer.empty() && v.normalizer != "NFC" && v.normalizer != "NFKC")
    throw error_at(v.source, "unknown normalizer '" + v.normalizer + "' (lmc knows NFC and NFKC)");
}

}  // namespace

std::unique_ptr<Tokenizer> Tokenizer::create(TokenizerVocab vocab) {
  check_vocab(vocab);
  // The settings move in whole; the tables go into their compact forms (take_tables).
  std::unique_ptr<Tokenizer> t(new Tokenizer(std::move(static_cast<TokenizerSettings&>(vocab))));
  const TokenizerSettings& settings = t->settings_;
  if (settings.kind == TokenizerSettings::ByteLevel) t->pre_ = PreTokenizer(settings.splits, settings.source);
  t->take_tables(vocab);
  t->index_tokens();
  t->index_merges(vocab.merges);
  t->index_byte_tokens();
  return t;
}

void Tokenizer::take_tables(TokenizerVocab& vocab) {
  tokens_ = TokenTable(vocab.tokens, settings_.source);
  // The table holds the texts now. Freed here rather than when create() returns, the
  // strings (8 MB for Gemma 3) are not part of the peak while the rest is built.
  vocab.tokens = std::vector<std::string>();
  types_.assign(vocab.types.begin(), vocab.types.end());  // check_vocab kept them in 0..kTokenByte
  if (vocab.merges.empty()) scores_ = std::move(vocab.scores);
}

void Tokenizer::index_tokens() {
  std::vector<std::pair<std::string_view, int32_t>> specials, user_defined;
  for (size_t i = 0; i < tokens_.size(); ++i) {
    auto id = static_cast<int32_t>(i);
    std::string_view text = tokens_.text(id);
    int32_t ty = type(id);
    if (is_special(id)) specials.emplace_back(text, id);
    if (ty == kTokenUserDefined) user_defined.emplace_back(text, id);
    bool ends_turn = std::find(kEndOfTurn.begin(), kEndOfTurn.end(), text) != kEndOfTurn.end();
    if (id == settings_.eos || (ty == kTokenControl && ends_turn)) eog_.push_back(id);
  }
  all_specials_ = SpecialMatcher(specials);
  user_defined_ = SpecialMatcher(user_defined);
}

void Tokenizer::index_merges(const std::vector<std::pair<std::string, std::string>>& merges) {
  merges_ = MergeTable(merges.size());
  for (size_t rank = 0; rank < merges.size(); ++rank) {
    const auto& [a, b] = merges[rank];
    auto left = mergeable(a), right = mergeable(b), merged = mergeable(a + b);
    if (!left || !right || !merged)
      throw error_at(settings_.source, "merge " + std::to_string(rank) + " ('" + a + "', '" + b +
                                           "') names a token that is not in the vocabulary");
    merges_.add(*left, *right, static_cast<int32_t>(rank), *merged);
  }
}

void Tokenizer::index_byte_tokens() {
  byte_token_.fill(-1);
  if (settings_.kind == TokenizerSettings::ByteLevel) {
    for (int b = 0; b < 256; ++b) {
      std::string spelled;
      append_utf8(spelled, byte_to_char(static_cast<uint8_t>(b)));
      byte_token_[b] = mergeable(spelled).value_or(-1);
    }
    return;
  }
  for (size_t i = 0; i < tokens_.size(); ++i) {
    if (types_[i] != kTokenByte) continue;
    std::string_view text = tokens_.text(static_cast<int32_t>(i));
    auto byte = parse_byte_token(text);
    if (!byte)
      throw error_at(settings_.source,
                     "byte token " + std::to_string(i) + " is spelled '" + std::string(text) + "', not <0xNN>");
    if (byte_token_[*byte] < 0) byte_token_[*byte] = static_cast<int32_t>(i);
  }
}

std::optional<int32_t> Tokenizer::mergeable(std::string_view text) const {
  auto id = tokens_.find(text);
  if (!id) return std::nullopt;
  int32_t ty = type(*id);
  if (ty == kTokenControl || ty == kTokenUnknown || ty == kTokenByte || ty == kTokenUnused) return std::nullopt;
  return id;
}

std::vector<int32_t> Tokenizer::encode(std::string_view text, bool add_bos, bool parse_special) const {
  std::vector<int32_t> out;
  if (add_bos && settings_.bos >= 0) out.push_back(settings_.bos);
  const SpecialMatcher& specials = parse_special ? all_specials_ : user_defined_;
  bool after_special = true;  // the start of the text counts, as in llama.cpp
  bool at_start = true;
  for (const TextFragment& f : specials.split(text)) {
    if (f.token >= 0) {
      out.push_back(f.token);
      after_special = true;
    } else {
      if (settings_.kind == TokenizerSettings::SentencePiece)
        encode_sentencepiece(f.text, prefixes_space(after_special, at_start), out);
      else
        encode_byte_level(f.text, out);
      after_special = false;
    }
    at_start = false;
  }
  return out;
}

bool Tokenizer::prefixes_space(bool after_special, bool at_start) const {
  return settings_.add_space_prefix && after_special && (at_start || !settings_.space_prefix_first_only);
}

void Tokenizer::encode_sentencepiece(std::string_view text, bool prefix_space, std::vector<int32_t>& out) const {
  std::string piece;
  for (char c : text) {
    if (c == ' ')
      piece += kSpaceMark;
    else
      piece += c;
  }
  if (prefix_space && !(settings_.space_prefix_if_missing && piece.starts_with(kSpaceMark)))
    piece.insert(0, kSpaceMark);
  if (!settings_.split_at_space_mark) {
    encode_piece(piece, out);
    return;
  }
  std::string_view rest = piece;
  while (!rest.empty()) {
    size_t next = rest.find(kSpaceMark, 1);
    encode_piece(rest.substr(0, next), out);
    rest = next == std::string_view::npos ? std::string_view() : rest.substr(next);
  }
}

void Tokenizer::encode_byte_level(std::string_view text, std::vector<int32_t>& out) const {
  // Most vocabularies have no normalizer: no copy of the text for them.
  std::string normalized;
  if (!settings_.normalizer.empty()) text = normalized = normalize(settings_.normalizer, text);
  std::deque<std::string> prefixed;
  for (std::string_view word : pre_.split(text, prefixed)) {
    std::string spelled;
    for (char c : word) append_utf8(spelled, byte_to_char(static_cast<uint8_t>(c)));
    encode_piece(spelled, out);
  }
}

void Tokenizer::encode_piece(std::string_view piece, std::vector<int32_t>& out) const {
  // ignore_merges (Llama 3, Tekken): a piece that is a token is that token, whatever the
  // merges would make of it.
  if (settings_.ignore_merges) {
    if (auto id = mergeable(piece)) {
      out.push_back(*id);
      return;
    }
  }
  emit(piece, merge(piece), out);
}

// One symbol per character, merged by rank when the vocab has merges and by the merged
// token's score otherwise (SentencePiece GGUFs carry scores, not merges).
std::vector<BpeSymbol> Tokenizer::merge(std::string_view piece) const {
  std::vector<BpeSymbol> symbols;
  for (size_t pos = 0; pos < piece.size();) {
    uint32_t size = utf8_at(piece, pos).size;
    symbols.push_back({static_cast<uint32_t>(pos), size, mergeable(piece.substr(pos, size)).value_or(-1)});
    pos += size;
  }
  if (!merges_.empty()) {
    return bpe_merge(std::move(symbols), [this](const BpeSymbol& l, const BpeSymbol& r) -> std::optional<BpeMerge> {
      if (l.id < 0 || r.id < 0) return std::nullopt;
      return merges_.find(l.id, r.id);
    });
  }
  return bpe_merge(std::move(symbols), [&](const BpeSymbol& l, const BpeSymbol& r) -> std::optional<BpeMerge> {
    auto id = mergeable(piece.substr(l.begin, l.size + r.size));
    if (!id) return std::nullopt;
    return BpeMerge{scores_[static_cast<size_t>(*id)], *id};
  });
}

void Tokenizer::emit(std::string_view piece, const std::vector<BpeSymbol>& symbols, std::vector<int32_t>& out) const {
  for (const BpeSymbol& s : symbols) {
    if (s.id >= 0) {
      out.push_back(s.id);
    } else if (settings_.kind == TokenizerSettings::SentencePiece) {
      for (char c : piece.substr(s.begin, s.size)) out.push_back(fallback_for_byte(static_cast<uint8_t>(c)));
    } else {
      // A byte-level symbol is one character spelling one byte the vocab lacks.
      Utf8Char ch = utf8_at(piece, s.begin);
      out.push_back(fallback_for_byte(char_to_byte(ch.cp).value_or(0)));
    }
  }
}

int32_t Tokenizer::fallback_for_byte(uint8_t byte) const {
  if (byte_token_[byte] >= 0) return byte_token_[byte];
  if (settings_.unk >= 0) return settings_.unk;
  static constexpr char kHex[] = "0123456789ABCDEF";
  throw error_at(settings_.source, std::string("cannot encode byte 0x") + kHex[byte >> 4] + kHex[byte & 15] +
                                       ": the vocabulary has no token for it and no unknown token");
}

std::string Tokenizer::token_text(int32_t id) const {
  if (id < 0 || static_cast<size_t>(id) >= size())
    throw error_at(settings_.source,
                   "token id " + std::to_string(id) + " is outside the vocabulary of " + std::to_string(size()));
  std::string_view text = tokens_.text(id);
  int32_t ty = type(id);
  // Special tokens are spelled as they are written in text, not in the model's alphabet.
  if (is_special(id)) return std::string(text);
  if (settings_.kind == TokenizerSettings::SentencePiece) {
    if (ty == kTokenByte) return std::string(1, static_cast<char>(*parse_byte_token(text)));
    std::string out;
    for (size_t pos = 0; pos < text.size();) {
      if (text.compare(pos, kSpaceMark.size(), kSpaceMark) == 0) {
        out += ' ';
        pos += kSpaceMark.size();
      } else {
        out += text[pos++];
      }
    }
    return out;
  }
  std::string out;
  for (size_t pos = 0; pos < text.size();) {
    Utf8Char ch = utf8_at(text, pos);
    if (auto byte = char_to_byte(ch.cp))
      out += static_cast<char>(*byte);
    else
      out.append(text.substr(pos, ch.size));
    pos += ch.size;
  }
  return out;
}

std::string Tokenizer::decode(std::span<const int32_t> ids) const {
  std::string out;
  bool after_special = true, at_start = true;
  for (int32_t id : ids) {
    std::string text = token_text(id);
    bool special = is_special(id);
    // Undo the space encode() puts in front of text that starts or follows a special token.
    if (prefixes_space(after_special, at_start) && !special && !text.empty() && text[0] == ' ') text.erase(0, 1);
    out += text;
    after_special = special;
    at_start = at_start && special;  // a BOS in front does not move the start of the text
  }
  return out;
}

bool Tokenizer::is_eog(int32_t id) const { return std::find(eog_.begin(), eog_.end(), id) != eog_.end(); }

bool Tokenizer::is_special(int32_t id) const {
  int32_t ty = type(id);
  return ty == kTokenControl || ty == kTokenUnknown || ty == kTokenUserDefined;
}

bool Tokenizer::is_control(int32_t id) const {
  return id >= 0 && static_cast<size_t>(id) < size() && type(id) == kTokenControl;
}

bool Tokenizer::is_text(int32_t id) const {
  if (id < 0 || static_cast<size_t>(id) >= size()) return false;
  const int32_t ty = type(id);
  return ty != kTokenControl && ty != kTokenUnknown && ty != kTokenUnused;
}

std::optional<int32_t> Tokenizer::find(std::string_view token) const { return tokens_.find(token); }

}  // namespace lmc::models

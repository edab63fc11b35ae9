// The BPE merge loop shared by both tokenizer families: start from one symbol per character
// and keep merging the adjacent pair the rule ranks most urgent (ties: leftmost first) until
// no pair merges. SentencePiece ranks a pair by the score of the token it forms (llama.cpp's
// llm_tokenizer_spm); GPT-2 and HF BPE rank it by its line in the merges list.
#pragma once
#include <cstdint>
#include <functional>
#include <optional>
#include <string_view>
#include <vector>

namespace lmc::models {

struct BpeSymbol {
  uint32_t begin = 0;  // byte range in the piece being tokenized
  uint32_t size = 0;
  int32_t id = -1;     // token of this text, or -1 when the vocab has none
};

struct BpeMerge {
  double priority = 0;  // higher merges first
  int32_t id = -1;      // the token the merged pair becomes
};

using MergeRule = std::function<std::optional<BpeMerge>(const BpeSymbol& left, const BpeSymbol& right)>;

std::vector<BpeSymbol> bpe_merge(std::vector<BpeSymbol> symbols, const MergeRule& rule);

}  // namespace lmc::models

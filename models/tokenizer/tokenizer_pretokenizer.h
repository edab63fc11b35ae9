// Byte-level BPE never merges across the pieces a pre-tokenizer cuts the text into. A
// pre-tokenizer is data: a list of regex splits, read from tokenizer.json (Split, Digits,
// ByteLevel's GPT-2 pattern) or named by a GGUF's tokenizer.ggml.pre, run with PCRE2
// (Unicode classes \p{L} \p{N}, lookahead) as Hugging Face's tokenizers runs them.
#pragma once
#include <cstdint>
#include <deque>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace lmc::models {

// What a step does with the regex's matches (HF's SplitDelimiterBehavior): keep each as a
// piece of its own, drop it, join it to the text before or after it, or join runs of
// adjacent matches (and runs of the text between them) into one piece.
enum class SplitBehavior : uint32_t { Isolated, Removed, MergedWithPrevious, MergedWithNext, Contiguous };

// One step: the regex cuts every piece so far into its matches and the text between them.
// Inverted, the text between matches plays the matches' part. With prefix_space (ByteLevel's
// add_prefix_space), a space goes in front of every piece that does not start with one
// first; an empty regex then leaves the pieces as they are.
struct PreSplit {
  std::string regex;
  SplitBehavior behavior = SplitBehavior::Isolated;
  bool invert = false;
  bool prefix_space = false;
  bool operator==(const PreSplit&) const = default;
};

// GPT-2's pattern, which ByteLevel(use_regex = true) applies.
extern const char* const kGpt2Pattern;

// What llama.cpp's tokenizer.ggml.pre names stand for: the family's regex steps, the
// normalization form its tokenizer.json applies first (Qwen 2's NFC), and whether a piece
// that is a token skips the merges (Llama 3's and Tekken's ignore_merges). Throws
// lmc::Error at `where` for a name it does not know, listing those it does.
struct NamedPreTokenizer {
  std::vector<PreSplit> splits;
  std::string normalizer;
  bool ignore_merges = false;
};
NamedPreTokenizer pre_tokenizer_named(const std::string& name, const std::string& where);

class PreTokenizer {
 public:
  PreTokenizer() = default;  // no steps: the text is one piece
  // Throws lmc::Error at `where` for a regex PCRE2 rejects.
  PreTokenizer(const std::vector<PreSplit>& steps, const std::string& where);
  // The pieces point into `text`, or into the copies in `prefixed` a step put a space in front of.
  std::vector<std::string_view> split(std::string_view text, std::deque<std::string>& prefixed) const;

 private:
  struct Step;
  std::vector<std::shared_ptr<const Step>> steps_;
};

}  // namespace lmc::models

// How many tokens of a vocabulary an answer still needs: the token budget's measure
// (token_mask.h). A state's completion is the texts that finish each frame of its stack,
// top first (completion_text.h); its count is the fewest tokens that write those bytes,
// a token free to run across the frames' borders ('",' closing a string and going on to
// the next key), plus the end of generation when the value could still go on (a
// top-level number). Of a state's stacks, the one that needs the fewest.
//
// The count comes from the end backwards: from each byte, the fewest tokens to the end is
// one more than from where the longest-matching tokens starting there stop. A frame's
// level keeps the first bytes of its completion and their counts, as many as the longest
// token, which is all the level above reads of it. Levels are kept for the last stack
// measured and, per frame, over the same frames below, so the masks of one step (whose
// tokens mostly change the top of the stack) count the long completion of an object
// once.
#pragma once
#include <array>
#include <cstdint>
#include <deque>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "structured/completion_text.h"
#include "structured/json_matcher.h"
#include "structured/token_vocabulary.h"

namespace lmc::structured {

class TokenDistance {
 public:
  // A stack whose completion is longer than this many bytes is counted a byte a token
  // (and the end of generation): what its text would cost to write out and count is not
  // worth the tokens it could save.
  static constexpr uint32_t kMostCounted = 1u << 16;

  TokenDistance(const Grammar& g, const TokenVocabulary& vocab);
  TokenDistance(const TokenDistance&) = delete;
  TokenDistance& operator=(const TokenDistance&) = delete;

  // The fewest tokens that make the text a whole value (kInfinite when none are known).
  uint32_t of(const State& s);
  // The same for one stack of frames (its bottom first).
  uint32_t of(std::span<const Frame> stack);

 private:
  struct Level {
    std::string head;             // the first bytes of the completion from this frame down
    std::vector<uint32_t> count;  // count[i]: the fewest tokens from head[i] on (i up to head.size())
  };
  Level level(const CompletionTexts::Piece& own, const Level& below) const;
  uint32_t child(uint32_t node, uint8_t b) const;

  const Grammar& g_;
  CompletionTexts texts_;
  const TokenTrie& tokens_;
  size_t longest_;
  std::array<uint32_t, 256> root_;  // the trie's first level, looked up at every byte
  Level closed_, open_;             // below the bottom frame: nothing, or the end of generation
  // The stack last measured, its levels, and per depth the levels computed over the
  // frames below it as they are now.
  std::vector<Frame> frames_;
  std::vector<const Level*> levels_;
  std::deque<std::unordered_map<Frame, Level, FrameHash>> known_;  // a deque: levels_ points into it
};

}  // namespace lmc::structured

// The shortest completion of a frame (json_frame.h) written out as text: the bytes that
// finish its value, as few as frame_rest counts, chosen the same way from every frame on
// the way. The token budget counts these texts in a vocabulary's tokens
// (token_distance.h), so they have to be texts the matcher takes, byte for byte.
//
// The text is found by reading bytes into a small stack of the frame and the values it
// opens: at each step the first byte (in byte order, from ' ') that brings the fewest
// bytes left down by one, an anyOf taking its alternative with the shortest text. Since
// the choice depends only on where the frame is, the text from any frame passed on the
// way is the rest of this one: a step along it leaves a completion one step shorter,
// which is what lets the budget close an answer token by token. Texts are kept per frame
// and share their storage with the frames they pass through (an object's rest after each
// of its properties is a suffix of one text).
#pragma once
#include <cstdint>
#include <deque>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "structured/json_frame.h"
#include "structured/json_grammar.h"

namespace lmc::structured {

struct FrameHash {
  size_t operator()(const Frame& f) const;
};

class CompletionTexts {
 public:
  struct Piece {
    std::string_view text;
    bool reaches_end = true;  // false: no text was found (a grammar whose lengths disagree)
    bool open = false;        // the value may still go on after it (a number): its end is the parent's byte
  };

  explicit CompletionTexts(const Grammar& g) : g_(g) {}
  // The completion of f's value with `room` frames below it.
  Piece of(const Frame& f, uint32_t room);

 private:
  struct Key {
    Frame frame;
    uint32_t room = 0;
    bool operator==(const Key&) const = default;
  };
  struct KeyHash {
    size_t operator()(const Key& k) const { return FrameHash{}(k.frame) * 31 + k.room; }
  };
  struct Stored {
    uint32_t text = 0;  // in texts_
    uint32_t from = 0;  // the byte it starts at
  };

  bool settle(std::vector<Frame>& stack, uint32_t room) const;
  uint32_t rest(const std::vector<Frame>& stack, uint32_t room) const;
  bool read(std::vector<Frame>& stack, uint8_t b, uint32_t room) const;
  Piece piece(const Stored& s) const;

  const Grammar& g_;
  std::deque<std::string> texts_;  // a deque: the views handed out stay valid as it grows
  std::vector<Piece> ends_;        // per text: reaches_end and open
  std::unordered_map<Key, Stored, KeyHash> memo_;
};

}  // namespace lmc::structured

// Streams generated tokens as text. A character can be split across byte tokens (an emoji
// as four <0xNN> tokens, or four byte-level pieces), so the bytes of an unfinished UTF-8
// character wait here until the tokens that complete it arrive.
#pragma once
#include <cstdint>
#include <string>

#include "models/tokenizer/tokenizer.h"

namespace lmc::models {

class StreamDecoder {
 public:
  explicit StreamDecoder(const Tokenizer& tokenizer) : tokenizer_(tokenizer) {}

  // The text that became complete with this token (often empty mid-character).
  std::string push(int32_t id);
  // Whatever is still held back: the end of the stream, complete or not.
  std::string flush();

 private:
  const Tokenizer& tokenizer_;
  std::string pending_;
};

}  // namespace lmc::models

// Hugging Face tokenizer.json files: the strict JSON reader, the vocabulary, merges and
// pipeline checks, then a Tokenizer built from what was accepted, encoding and decoding.
#include <cstdint>

#include "models/tokenizer/tokenizer.h"
#include "models/tokenizer/tokenizer_from_json.h"
#include "support/error.h"
#include "tests/fuzz/fuzz_input.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  try {
    auto path = lmc::fuzz::write_input("tokenizer.json", lmc::fuzz::as_text(data, size));
    auto tok = lmc::models::Tokenizer::create(lmc::models::tokenizer_vocab_from_json(path));
    for (bool specials : {true, false}) {
      // Special-token look-alikes, digit runs, upper-case contractions, U+2581, an emoji, and
      // bytes that are not UTF-8, so every pre-tokenizer step and fallback has work.
      auto ids = tok->encode(
          "Hello, world!\n\n  <s> 12345 caf\xC3\xA9 \xE2\x96\x81\xF0\x9F\x98\x80 I'LL\t\r\n"
          "e\xCC\x81 \xFF\xC3 x__y",
          true, specials);
      tok->decode(ids);
    }
  } catch (const lmc::Error&) {
  }
  return 0;
}

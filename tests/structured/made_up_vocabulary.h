// A made-up vocabulary for the token mask's tests: every byte, JSON punctuation pieces,
// words, a partial UTF-8 character, control-like tokens (no text), and the end of
// generation.
#pragma once
#include <memory>
#include <string>
#include <vector>

#include "structured/token_vocabulary.h"

namespace lmc::structured::testing {

inline constexpr int32_t kEog = 300;

inline std::shared_ptr<const TokenVocabulary> made_up_vocabulary() {
  std::vector<std::string> texts;
  for (int b = 0; b < 256; ++b) texts.emplace_back(1, static_cast<char>(b));
  for (const char* t : {"{\"",
                        "\":",
                        "\": ",
                        "\",",
                        "\", \"",
                        "\"}",
                        "true",
                        "null",
                        "12",
                        " \"",
                        "name",
                        "ab",
                        "\xC3\xA9",
                        "\xC3",
                        "\"a\"",
                        "\n",
                        "{}",
                        "[1,",
                        ",\"",
                        "\\n",
                        "\\u00",
                        "hello world",
                        "a\"b",
                        "\"name\":",
                        "}]",
                        "], ",
                        "0.5",
                        "-1e",
                        "\xF0\x9F\x98\x80x",
                        "\"\"",
                        "\\\"",
                        "é\"}"})
    texts.push_back(t);
  texts.resize(kEog);
  texts.push_back("");  // kEog
  texts.push_back("");  // a control token: never text
  return std::make_shared<const TokenVocabulary>(texts, std::vector<int32_t>{kEog});
}

}  // namespace lmc::structured::testing

// GBNF grammars and the text matched against them (structured/): the input is a grammar's
// text, then kSeparator, then bytes. The grammar is compiled (a GbnfError is a refusal,
// anything else a finding); the bytes are fed to the matcher as a text, and also used as
// choices that walk it, each picking one of the bytes it takes next. Whenever the matcher
// says the root is matched, the independent recognizer (tests/structured/gbnf_recognizer.h)
// must agree: the matcher never allows a text the grammar refuses.
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "structured/gbnf_matcher.h"
#include "tests/fuzz/fuzz_input.h"
#include "tests/structured/gbnf_recognizer.h"

namespace {

using namespace lmc::structured;

constexpr std::string_view kSeparator = "\n%%%%\n";
constexpr size_t kMaxWalk = 64;      // 256 probes a byte: bounded, so that inputs run by the thousand
constexpr size_t kMaxJudged = 8;     // texts given to the (slower) recognizer per input
constexpr size_t kMaxFed = 4096;

struct Judge {
  testing::GbnfRecognizer recognizer;
  size_t judged = 0;
  void must_match(std::string_view text) {
    if (judged++ < kMaxJudged && !recognizer.matches(text)) std::abort();
  }
};

// The bytes as a text: taken as far as the matcher goes, judged where the root is matched.
void feed(GbnfMatcher& m, Judge& j, std::string_view bytes) {
  GbnfState s = m.start(), next;
  if (m.accepting(s)) j.must_match("");
  for (size_t i = 0; i < bytes.size() && i < kMaxFed; ++i) {
    if (!m.advance(s, static_cast<uint8_t>(bytes[i]), next)) return;
    std::swap(s, next);
    if (m.accepting(s)) j.must_match(bytes.substr(0, i + 1));
  }
}

// The bytes as choices among the bytes the matcher takes at each step.
void walk(GbnfMatcher& m, Judge& j, std::string_view choices) {
  GbnfState s = m.start(), next;
  std::string text;
  std::vector<uint8_t> options;
  for (size_t i = 0; i < choices.size() && i < kMaxWalk; ++i) {
    options.clear();
    for (int b = 0; b < 256; ++b)
      if (m.advance(s, static_cast<uint8_t>(b), next)) options.push_back(static_cast<uint8_t>(b));
    if (options.empty()) return;
    const uint8_t b = options[static_cast<uint8_t>(choices[i]) % options.size()];
    m.advance(s, b, next);
    std::swap(s, next);
    text += static_cast<char>(b);
    if (m.accepting(s)) j.must_match(text);
    if (m.complete(s)) return;
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view input = lmc::fuzz::as_text(data, size);
  const size_t cut = input.find(kSeparator);
  std::string_view grammar_text = input.substr(0, cut);
  std::string_view bytes = cut == std::string_view::npos ? std::string_view() : input.substr(cut + kSeparator.size());
  try {
    auto grammar = compile_gbnf(grammar_text);
    GbnfMatcher m(*grammar);
    Judge j{testing::GbnfRecognizer(*grammar)};
    feed(m, j, bytes);
    j.judged = 0;
    walk(m, j, bytes);
  } catch (const GbnfError&) {
  }
  return 0;
}

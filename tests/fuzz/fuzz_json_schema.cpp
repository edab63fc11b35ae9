// Response-format schemas and the answers generated under them (structured/): the input
// is a schema's JSON text, then kSeparator, then bytes. The schema is compiled (a
// SchemaError is a refusal, anything else a finding); the bytes are fed to the matcher as
// an answer, and also used as choices that walk it, each picking one of the bytes it
// takes next. Whenever either text is a whole value it must parse as JSON and be valid
// under the reference validator (tests/structured/reference_validator.h): completion
// implies a valid answer.
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "structured/json_matcher.h"
#include "structured/schema_compiler.h"
#include "tests/fuzz/fuzz_input.h"
#include "tests/structured/reference_validator.h"

namespace {

using namespace lmc::structured;

constexpr std::string_view kSeparator = "\n%%%%\n";
constexpr size_t kMaxWalk = 256;  // 256 probes a byte: bounded, so that inputs run by the thousand

void must_be_valid(const testing::ReferenceValidator& v, const std::string& text) {
  if (!nlohmann::json::accept(text) || !v.valid(text)) std::abort();
}

// The bytes as an answer: taken as far as the matcher goes, judged where it is whole.
void feed(Matcher& m, const testing::ReferenceValidator& v, std::string_view bytes) {
  State s = m.start(), next;
  for (size_t i = 0; i < bytes.size(); ++i) {
    if (!m.advance(s, static_cast<uint8_t>(bytes[i]), next)) return;
    std::swap(s, next);
    if (m.accepting(s)) must_be_valid(v, std::string(bytes.substr(0, i + 1)));
  }
}

// The bytes as choices among the bytes the matcher takes at each step.
void walk(Matcher& m, const testing::ReferenceValidator& v, std::string_view choices) {
  State s = m.start(), next;
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
    if (m.accepting(s)) must_be_valid(v, text);
    if (m.complete(s)) return;
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view input = lmc::fuzz::as_text(data, size);
  const size_t cut = input.find(kSeparator);
  std::string_view schema_text = input.substr(0, cut);
  std::string_view bytes = cut == std::string_view::npos ? std::string_view() : input.substr(cut + kSeparator.size());
  auto schema = nlohmann::ordered_json::parse(schema_text, nullptr, false);
  if (schema.is_discarded()) return 0;
  try {
    auto grammar = compile_schema(schema);
    Matcher m(*grammar);
    testing::ReferenceValidator v(schema);
    feed(m, v, bytes);
    walk(m, v, bytes);
  } catch (const SchemaError&) {
  }
  return 0;
}

// Chat templates (jinja/): the input is a template's text, optionally followed by
// kSeparator and a JSON object to render it with (without one, a two-message
// conversation). Parsing and rendering, under small limits (output, loop iterations, work), may only end in an
// lmc::Error, the one way the engine refuses: never a crash, a sanitizer report or a hang.
#include <cstdint>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "jinja/template.h"
#include "support/error.h"
#include "tests/fuzz/fuzz_input.h"

namespace {

constexpr std::string_view kSeparator = "\n%%%%\n";

nlohmann::ordered_json default_context() {
  return {
      {"messages", {{{"role", "system"}, {"content", "Be brief."}}, {{"role", "user"}, {"content", "Hi {{ there }}"}}}},
      {"add_generation_prompt", true},
      {"bos_token", "<s>"},
      {"eos_token", "</s>"}};
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view input = lmc::fuzz::as_text(data, size);
  const size_t cut = input.find(kSeparator);
  const std::string_view source = input.substr(0, cut);
  nlohmann::ordered_json context = default_context();
  if (cut != std::string_view::npos) {
    auto given = nlohmann::ordered_json::parse(input.substr(cut + kSeparator.size()), nullptr, false);
    if (!given.is_discarded() && given.is_object()) context = std::move(given);
  }
  lmc::jinja::Limits limits;
  limits.max_output_bytes = 1 << 20;
  limits.max_loop_iterations = 100000;
  limits.max_work = uint64_t{1} << 26;
  try {
    lmc::jinja::Template(source, "fuzz.jinja").render(context, limits);
  } catch (const lmc::Error&) {
  }
  return 0;
}

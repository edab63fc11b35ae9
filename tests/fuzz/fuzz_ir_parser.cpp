// IR text, as `lmc opt` and an artifact's "ir" section read it: parse and verify; for a
// graph that verifies, the text-form contract print(parse(print(g))) == print(g) must hold.
#include <cstdint>
#include <cstdlib>
#include <string>

#include "ir/parser.h"
#include "ir/printer.h"
#include "ir/verifier.h"
#include "support/error.h"
#include "tests/fuzz/fuzz_input.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string text;
  try {
    auto g = lmc::ir::parse(lmc::fuzz::as_text(data, size), "fuzz.lir");
    lmc::ir::verify(*g, "fuzz.lir");
    text = lmc::ir::print(*g);
  } catch (const lmc::Error&) {
    return 0;
  }
  // Not caught: an error reading back what the printer wrote is a bug, and escapes as a crash.
  auto again = lmc::ir::parse(text, "printed.lir");
  lmc::ir::verify(*again, "printed.lir");
  if (lmc::ir::print(*again) != text) std::abort();
  return 0;
}

// SafeTensors files, as the weight loader reads them: the JSON header, every entry
// checked against the data, and each (small) tensor widened to f32.
#include <cstdint>

#include "models/formats/safetensors_file.h"
#include "support/error.h"
#include "tests/fuzz/fuzz_input.h"

namespace {

// Widening is linear in the element count; bigger tensors only cost time.
constexpr int64_t kMaxWidened = int64_t{1} << 16;

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  try {
    auto path = lmc::fuzz::write_input("model.safetensors", lmc::fuzz::as_text(data, size));
    auto m = lmc::models::SafeTensorsModel::open(path);
    for (const auto& t : m->tensors())
      if (t.numel() <= kMaxWidened) m->to_f32(t.name);
  } catch (const lmc::Error&) {
  }
  return 0;
}

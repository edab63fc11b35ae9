// KV-cache snapshots (llama-server's slot files, lmc run's --prompt-cache), as lmc serve's
// slot restore and lmc run read them: the header checked, the rows read into caches, the
// digest and the tokens checked. The identity expected and the caches' size are the input's
// own (its header's, the rows up to 1 MiB, then split in two caches), so that mutations reach
// past those checks to the sizes, body and digest; any other is refused before any row.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

#include "runtime/kv_snapshot.h"
#include "support/error.h"
#include "tests/fuzz/fuzz_input.h"

namespace {

constexpr int64_t kContext = 64, kVocab = 50000;
constexpr uint64_t kMaxRowBytes = uint64_t{1} << 20;

// The header's u64 at `at` (kv_snapshot.h's layout), 0 past the input's end.
uint64_t u64_at(std::string_view bytes, size_t at) {
  uint64_t v = 0;
  for (size_t i = 0; i < 8 && at + i < bytes.size(); ++i)
    v |= static_cast<uint64_t>(static_cast<unsigned char>(bytes[at + i])) << (8 * i);
  return v;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view bytes = lmc::fuzz::as_text(data, size);
  auto path = lmc::fuzz::write_input("fuzz.kvsnap", bytes);
  const uint64_t row_bytes = std::min(u64_at(bytes, 32), kMaxRowBytes);
  std::vector<std::byte> rows(row_bytes);
  try {
    lmc::runtime::read_kv_snapshot(path, {u64_at(bytes, 16), kContext, kVocab}, [&](int64_t) {
      const size_t half = rows.size() / 2;
      return std::vector<std::span<std::byte>>{std::span(rows).first(half), std::span(rows).subspan(half)};
    });
  } catch (const lmc::Error&) {
  }
  return 0;
}

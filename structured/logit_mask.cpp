#include "structured/logit_mask.h"

#include <algorithm>
#include <limits>

namespace lmc::structured {

// A word of the mask at a time: most words are all banned (between values) or all
// allowed (inside a string), and a whole row is a megabyte to write.
bool ban_unallowed(const std::vector<uint64_t>& allowed, size_t vocab, std::span<float> logits) {
  constexpr float kBanned = -std::numeric_limits<float>::infinity();
  const size_t n = std::min(logits.size(), vocab);
  bool any = false;
  for (size_t w = 0; w * 64 < n; ++w) {
    const uint64_t bits = allowed[w];
    float* row = logits.data() + w * 64;
    const size_t len = std::min<size_t>(64, n - w * 64);
    any = any || bits != 0;
    if (bits == 0) {
      std::fill_n(row, len, kBanned);
    } else if (bits != ~uint64_t{0}) {
      for (size_t i = 0; i < len; ++i)
        if (!(bits >> i & 1)) row[i] = kBanned;
    }
  }
  std::fill(logits.begin() + static_cast<std::ptrdiff_t>(n), logits.end(), kBanned);
  return any;
}

}  // namespace lmc::structured

// What the token mask must equal: each token allowed exactly when the matcher reads all of
// its bytes from the state (brute force, one copy of the state per token), the
// end-of-generation tokens when the value is complete. Shared by the tests on a made-up
// vocabulary and on Gemma 3's.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "structured/json_matcher.h"
#include "structured/token_mask.h"
#include "structured/token_vocabulary.h"

namespace lmc::structured::testing {

inline std::vector<uint64_t> brute_force_mask(Matcher& m, const TokenVocabulary& v, const State& s) {
  std::vector<uint64_t> bits((v.size() + 63) / 64, 0);
  for (size_t id = 0; id < v.size(); ++id) {
    const auto t = static_cast<int32_t>(id);
    State copy = s;
    const bool ok = v.is_eog(t) ? m.accepting(s) : !v.text(t).empty() && m.feed(copy, v.text(t));
    if (ok) bits[id / 64] |= uint64_t{1} << (id % 64);
  }
  return bits;
}

// The ids where the two masks differ, as text for a failure message.
inline std::string differences(const TokenVocabulary& v, const std::vector<uint64_t>& a,
                               const std::vector<uint64_t>& b) {
  std::string out;
  for (size_t id = 0; id < v.size() && out.size() < 400; ++id)
    if ((a[id / 64] ^ b[id / 64]) >> (id % 64) & 1)
      out += std::to_string(id) + " '" + std::string(v.text(static_cast<int32_t>(id))) + "' ";
  return out;
}

}  // namespace lmc::structured::testing

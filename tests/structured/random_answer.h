// Random answers of a grammar, drawn byte by byte among the bytes the matcher takes: any
// of them while the text is short, then along the fewest bytes to the end (the matcher's
// distance), so every draw finishes and the distance is checked to be exact on the way.
#pragma once
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "structured/json_matcher.h"

namespace lmc::structured::testing {

struct Answer {
  std::string text;
  bool distance_exact = true;  // the steered tail was as long as the distance said
};

inline std::optional<Answer> random_answer(Matcher& m, std::mt19937& rng, size_t steer_after) {
  Answer a;
  State s = m.start(), next;
  int64_t promised = -1;  // bytes the distance said were left when steering began
  size_t steered_from = 0;
  auto done = [&] {
    if (promised >= 0) a.distance_exact = static_cast<int64_t>(a.text.size() - steered_from) == promised;
    return a;
  };
  while (a.text.size() < steer_after + 4096) {
    if (m.complete(s) || (m.accepting(s) && (a.text.size() >= steer_after || rng() % 4 == 0))) return done();
    const bool steering = a.text.size() >= steer_after;
    if (steering && promised < 0) {
      promised = m.distance(s);
      steered_from = a.text.size();
    }
    std::vector<uint8_t> options;
    uint32_t best = kInfinite;
    for (int b = 0; b < 256; ++b) {
      if (!m.advance(s, static_cast<uint8_t>(b), next)) continue;
      const uint32_t d = steering ? m.distance(next) : 0;
      if (d < best) options.clear();
      if (d <= best) {
        best = d;
        options.push_back(static_cast<uint8_t>(b));
      }
    }
    if (options.empty()) return m.accepting(s) ? std::optional<Answer>(done()) : std::nullopt;
    const uint8_t b = options[rng() % options.size()];
    a.text += static_cast<char>(b);
    m.advance(s, b, next);
    std::swap(s, next);
  }
  return std::nullopt;
}

}  // namespace lmc::structured::testing

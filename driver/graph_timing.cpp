#include "driver/graph_timing.h"

#include <algorithm>
#include <chrono>
#include <cmath>

namespace lmc::driver {

namespace {

constexpr double kTurnSeconds = 0.02;
constexpr int64_t kMaxBatch = 100000;

double seconds(GraphProgram& p, int64_t times) {
  const auto start = std::chrono::steady_clock::now();
  for (int64_t i = 0; i < times; ++i) p.run();
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

}  // namespace

GraphTurns time_turn_about(GraphProgram& a, GraphProgram& b, int64_t rows, int runs) {
  GraphTurns t;
  const double slower = std::max(seconds(a, 1), seconds(b, 1));
  const int64_t batch =
      std::clamp<int64_t>(static_cast<int64_t>(std::ceil(kTurnSeconds / std::max(slower, 1e-9))), 1, kMaxBatch);
  const auto rate = [&](GraphProgram& p) {
    return static_cast<double>(rows * batch) / std::max(seconds(p, batch), 1e-12);
  };
  for (int turn = 0; turn < runs; ++turn) {
    t.a.push_back(rate(a));
    t.b.push_back(rate(b));
  }
  return t;
}

}  // namespace lmc::driver

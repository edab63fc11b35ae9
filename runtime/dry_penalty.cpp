#include "runtime/dry_penalty.h"

#include <algorithm>
#include <cmath>

namespace lmc::runtime {

namespace {

// The window read backwards: w[0] is the latest token.
std::vector<int32_t> reversed_window(std::span<const int32_t> history, int64_t last_n) {
  const size_t n = last_n < 0 ? history.size() : std::min(history.size(), static_cast<size_t>(last_n));
  return {history.rbegin(), history.rbegin() + static_cast<std::ptrdiff_t>(n)};
}

// How far back from the latest token a repeat may reach: up to the most recent breaker
// (the longest of those that start at the same token), or the whole window.
int64_t repeat_limit(const std::vector<int32_t>& w, const DryBreakers& breakers) {
  const int64_t n = static_cast<int64_t>(w.size());
  for (int64_t i = 0; i < n; ++i) {
    auto [from, to] = breakers.equal_range(w[i]);
    int64_t longest = -1;
    for (auto it = from; it != to; ++it) {
      const auto& tail = it->second;
      const int64_t len = static_cast<int64_t>(tail.size());
      if (len <= longest || len > i) continue;
      bool match = true;
      for (int64_t j = 0; j < len && match; ++j)
        match = tail[static_cast<size_t>(j)] == w[static_cast<size_t>(i - j - 1)];
      if (match) longest = len;
    }
    if (longest >= 0) return i - longest;
  }
  return n;
}

// z[k]: the length of the longest common prefix of w and w[k..] (the Z-function), so the
// run of the latest z[k] tokens also ends just before w[k - 1] was emitted.
std::vector<int64_t> z_function(const std::vector<int32_t>& w) {
  const int64_t n = static_cast<int64_t>(w.size());
  std::vector<int64_t> z(static_cast<size_t>(n), 0);
  int64_t left = 0, right = 0;  // the match w[left, right) == w[0, right - left) reaching furthest
  for (int64_t k = 1; k < n; ++k) {
    int64_t& len = z[static_cast<size_t>(k)];
    if (k < right) len = std::min(right - k, z[static_cast<size_t>(k - left)]);
    while (k + len < n && w[static_cast<size_t>(len)] == w[static_cast<size_t>(k + len)]) ++len;
    if (k + len > right) left = k, right = k + len;
  }
  return z;
}

bool single_token_breaker(const DryBreakers& breakers, int32_t token) {
  auto [from, to] = breakers.equal_range(token);
  return std::any_of(from, to, [](const auto& entry) { return entry.second.empty(); });
}

}  // namespace

std::vector<std::pair<int32_t, float>> dry_penalties(std::span<const int32_t> history, const DryOptions& opts) {
  if (!opts.enabled()) return {};
  const std::vector<int32_t> w = reversed_window(history, opts.penalty_last_n);
  if (static_cast<int64_t>(w.size()) <= opts.allowed_length) return {};
  const DryBreakers none;
  const DryBreakers& breakers = opts.breakers ? *opts.breakers : none;
  const int64_t limit = repeat_limit(w, breakers);
  if (limit < opts.allowed_length) return {};

  std::unordered_map<int32_t, int64_t> longest;  // by the token that would extend the run
  const std::vector<int64_t> z = z_function(w);
  for (size_t k = 1; k < w.size(); ++k) {
    const int64_t len = std::min(z[k], limit);
    if (len < opts.allowed_length) continue;
    int64_t& l = longest[w[k - 1]];
    l = std::max(l, len);
  }
  // base^exponent stays below float's largest value.
  const int64_t max_exponent =
      opts.base > 1.000001f ? static_cast<int64_t>(88.7228391 / std::log(double(opts.base))) : 0;
  std::vector<std::pair<int32_t, float>> out;
  for (const auto& [token, len] : longest) {
    if (single_token_breaker(breakers, token)) continue;
    int64_t exponent = len - opts.allowed_length;
    if (max_exponent > 0) exponent = std::min(exponent, max_exponent);
    out.emplace_back(token, opts.multiplier * std::pow(opts.base, static_cast<float>(exponent)));
  }
  return out;
}

}  // namespace lmc::runtime

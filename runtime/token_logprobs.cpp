#include "runtime/token_logprobs.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>

#include "runtime/sampler.h"

namespace lmc::runtime {

StepLogprobs token_logprobs(std::span<const float> logits, float temperature, int32_t chosen, int64_t top_n) {
  const double t = temperature > 0 ? temperature : 1.0;
  const float max = *std::max_element(logits.begin(), logits.end());
  double sum = 0;
  for (float l : logits) sum += std::exp(double(l - max) / t);
  const double log_sum = std::log(sum);
  auto logprob = [&](int32_t id) {
    const double lp = double(logits[static_cast<size_t>(id)] - max) / t - log_sum;
    return static_cast<float>(std::max(lp, double(kLowestLogprob)));
  };
  StepLogprobs out{{chosen, logprob(chosen)}, {}};
  const auto n = static_cast<int64_t>(logits.size());
  std::vector<int32_t> ids(static_cast<size_t>(n));
  std::iota(ids.begin(), ids.end(), 0);
  const int64_t k = std::clamp<int64_t>(top_n, 0, n);
  std::partial_sort(ids.begin(), ids.begin() + k, ids.end(), [&](int32_t a, int32_t b) {
    return logits[static_cast<size_t>(a)] > logits[static_cast<size_t>(b)] ||
           (logits[static_cast<size_t>(a)] == logits[static_cast<size_t>(b)] && a < b);
  });
  for (int64_t i = 0; i < k; ++i)
    out.top.push_back({ids[static_cast<size_t>(i)], logprob(ids[static_cast<size_t>(i)])});
  return out;
}

StepLogprobs drawn_logprobs(const Sampler& sampler, int32_t chosen, int64_t top_n) {
  const double mass = sampler.drawn_mass();
  auto logprob = [&](int32_t id) {
    const double p = mass > 0 ? sampler.weight(id) / mass : 0;
    return p > 0 ? std::max(static_cast<float>(std::log(p)), kLowestLogprob) : kLowestLogprob;
  };
  std::vector<int32_t> ids;
  for (int32_t id : sampler.drawn_from())
    if (sampler.weight(id) > 0) ids.push_back(id);
  const int64_t k = std::clamp<int64_t>(top_n, 0, static_cast<int64_t>(ids.size()));
  std::partial_sort(ids.begin(), ids.begin() + k, ids.end(), [&](int32_t a, int32_t b) {
    return sampler.weight(a) > sampler.weight(b) || (sampler.weight(a) == sampler.weight(b) && a < b);
  });
  StepLogprobs out{{chosen, logprob(chosen)}, {}};
  for (int64_t i = 0; i < k; ++i)
    out.top.push_back({ids[static_cast<size_t>(i)], logprob(ids[static_cast<size_t>(i)])});
  return out;
}

}  // namespace lmc::runtime

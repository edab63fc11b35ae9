#include "tools/lmc/sampling_flags.h"

#include <cstdint>
#include <random>

namespace lmc::tools {

std::vector<FlagSpec> sampling_flag_specs() {
  return {
      {"temperature", true, "0 = greedy; higher is more random (lmc run: 0; lmc serve: 0.8)", "T", false, "", {"temp"}},
      {"top-k", true, "sample among the K most likely tokens (0 = all)", "K"},
      {"top-p", true, "sample among the smallest set with probability >= P (1 = all)", "P"},
      {"min-p", true, "drop tokens less likely than P times the most likely one (0 = off)", "P"},
      {"typical", true, "locally typical sampling: keep the tokens nearest the entropy up to mass P (1 = off)", "P"},
      {"repeat-penalty", true, "penalise recently seen tokens: positive logits / R, negative ones x R (1 = off)", "R"},
      {"repeat-last-n", true, "how many recent tokens the penalties look at (default 64; -1: all)", "N"},
      {"presence-penalty", true, "subtract P from the logit of every recently seen token (0 = off)", "P"},
      {"frequency-penalty", true, "subtract F times its count from the logit of a recently seen token (0 = off)", "F"},
      {"seed", true, "random seed for sampling (default and -1: a random one, printed on stderr)", "S", false, "s"},
  };
}

runtime::SamplerOptions sampling_options(const Args& a, runtime::SamplerOptions d) {
  d.temperature = static_cast<float>(a.get_double("temperature", d.temperature, 0, 100));
  d.top_k = a.get_int("top-k", d.top_k, 0, int64_t{1} << 30);
  d.top_p = static_cast<float>(a.get_double("top-p", d.top_p, 0, 1));
  d.min_p = static_cast<float>(a.get_double("min-p", d.min_p, 0, 1));
  d.typical_p = static_cast<float>(a.get_double("typical", d.typical_p, 0, 1));
  d.repetition_penalty = static_cast<float>(a.get_double("repeat-penalty", d.repetition_penalty, 0.01, 100));
  d.repetition_window = a.get_int("repeat-last-n", d.repetition_window, -1, int64_t{1} << 30);
  d.presence_penalty = static_cast<float>(a.get_double("presence-penalty", d.presence_penalty, -100, 100));
  d.frequency_penalty = static_cast<float>(a.get_double("frequency-penalty", d.frequency_penalty, -100, 100));
  return d;
}

uint64_t random_seed() {
  // 63 bits: a seed that --seed takes back.
  return (std::random_device{}() | uint64_t{std::random_device{}()} << 32) & uint64_t{INT64_MAX};
}

std::optional<uint64_t> seed_flag(const Args& a) {
  if (!a.has("seed")) return std::nullopt;
  const int64_t s = a.get_int("seed", 0, -1, INT64_MAX);
  if (s == -1) return random_seed();
  return static_cast<uint64_t>(s);
}

runtime::SamplerOptions server_sampling_defaults() {
  runtime::SamplerOptions d;
  d.temperature = 0.8f;
  d.top_k = 40;
  d.top_p = 0.95f;
  d.min_p = 0.05f;
  return d;
}

}  // namespace lmc::tools

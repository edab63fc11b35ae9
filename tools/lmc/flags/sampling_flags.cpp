#include "tools/lmc/flags/sampling_flags.h"

#include <algorithm>
#include <cstdint>
#include <random>
#include <string>

namespace lmc::tools {

std::vector<FlagSpec> sampling_flag_specs() {
  return {
      {"temperature",
       true,
       "0 or below = greedy; higher is more random (lmc run: 0; lmc serve: 0.8)",
       "T",
       false,
       "",
       {"temp"}},
      {"dynatemp-range", true,
       "dynamic temperature: sample a certain distribution cooler and an uncertain one hotter, within the "
       "temperature ± R (0 = off)",
       "R"},
      {"dynatemp-exp", true, "dynamic temperature's exponent on the normalized entropy (default 1)", "E"},
      {"top-k", true, "sample among the K most likely tokens (0 or below = all)", "K"},
      {"top-p", true, "sample among the smallest set with probability >= P (1 = all)", "P"},
      {"min-p", true, "drop tokens less likely than P times the most likely one (0 = off)", "P"},
      {"typical", true, "locally typical sampling: keep the tokens nearest the entropy up to mass P (1 = off)", "P"},
      {"repeat-penalty", true, "penalise recently seen tokens: positive logits / R, negative ones x R (1 = off)", "R"},
      {"repeat-last-n", true, "how many recent tokens the penalties look at (default 64; -1: all)", "N"},
      {"presence-penalty", true, "subtract P from the logit of every recently seen token (0 = off)", "P"},
      {"frequency-penalty", true, "subtract F times its count from the logit of a recently seen token (0 = off)", "F"},
      {"seed", true, "random seed for sampling (default and -1: a random one, printed on stderr)", "S", false, "s"},
      {"samplers", true,
       "the chain's stages in order, ';'-separated (default "
       "penalties;dry;top_n_sigma;top_k;typ_p;top_p;min_p;xtc;temperature)",
       "LIST"},
      {"sampling-seq",
       true,
       "the chain's stages as letters (default edskypmxt)",
       "LETTERS",
       false,
       "",
       {"sampler-seq"}},
      {"dry-multiplier", true, "DRY: penalise tokens extending a repeat by M x base^(length - allowed) (0 = off)", "M"},
      {"dry-base", true, "DRY's base (default 1.75)", "B"},
      {"dry-allowed-length", true, "DRY: repeats this long go unpenalised (default 2)", "N"},
      {"dry-penalty-last-n", true, "DRY: how many recent tokens it looks at (default -1: all; 0 = off)", "N"},
      {"dry-sequence-breaker", true,
       "a string that ends a DRY repeat; repeatable, replaces the defaults \\n : \" * (\"none\": no breakers)", "S"},
      {"xtc-probability", true, "XTC: the chance each token drops the likeliest candidates (0 = off)", "P"},
      {"xtc-threshold", true, "XTC: candidates at least this likely are dropped but the least of them (0.1)", "P"},
      {"top-nsigma",
       true,
       "keep tokens within N standard deviations of the largest logit (-1 = off)",
       "N",
       false,
       "",
       {"top-n-sigma"}},
      {"mirostat", true, "Mirostat 1 or 2 instead of the chain after the temperature (0 = off)", "N"},
      {"mirostat-lr", true, "Mirostat's learning rate eta (default 0.1)", "ETA"},
      {"mirostat-ent", true, "Mirostat's target surprise tau, in bits (default 5)", "TAU"},
  };
}

namespace {

std::vector<runtime::SamplerStage> named_stages(const std::string& list) {
  std::vector<runtime::SamplerStage> order;
  size_t from = 0;
  while (from <= list.size()) {
    const size_t to = std::min(list.find(';', from), list.size());
    const std::string name = list.substr(from, to - from);
    from = to + 1;
    if (name.empty()) continue;
    auto stage = runtime::sampler_stage_named(name, true);
    if (!stage)
      throw UsageError("option '--samplers': unknown sampler '" + name +
                       "' (penalties, dry, top_n_sigma, top_k, typ_p, top_p, min_p, xtc, temperature)");
    order.push_back(*stage);
  }
  return order;
}

std::vector<runtime::SamplerStage> lettered_stages(const std::string& letters) {
  std::vector<runtime::SamplerStage> order;
  for (char c : letters) {
    auto stage = runtime::sampler_stage_lettered(c);
    if (!stage)
      throw UsageError(std::string("option '--sampling-seq': no sampler is lettered '") + c +
                       "' (e penalties, d dry, s top_n_sigma, k top_k, y typ_p, p top_p, m min_p, x xtc, t "
                       "temperature)");
    order.push_back(*stage);
  }
  return order;
}

// As llama.cpp: the first breaker given replaces the defaults; "none" clears them.
std::vector<std::string> sequence_breakers(const std::vector<std::string>& given) {
  std::vector<std::string> out;
  for (const std::string& b : given) {
    if (b == "none")
      out.clear();
    else if (b.empty())
      throw UsageError("option '--dry-sequence-breaker' expects a non-empty string");
    else
      out.push_back(b);
  }
  return out;
}

void read_chain_flags(const Args& a, runtime::SamplerOptions& d) {
  constexpr int64_t kMax = int64_t{1} << 30;
  if (auto v = a.get("samplers")) d.samplers = named_stages(*v);
  if (auto v = a.get("sampling-seq")) d.samplers = lettered_stages(*v);
  d.dry.multiplier = static_cast<float>(a.get_double("dry-multiplier", d.dry.multiplier, 0, 100));
  d.dry.base = static_cast<float>(a.get_double("dry-base", d.dry.base, 0, 100));
  d.dry.allowed_length = a.get_int("dry-allowed-length", d.dry.allowed_length, 0, kMax);
  d.dry.penalty_last_n = a.get_int("dry-penalty-last-n", d.dry.penalty_last_n, -1, kMax);
  if (a.has("dry-sequence-breaker")) d.dry.sequence_breakers = sequence_breakers(a.all("dry-sequence-breaker"));
  d.xtc_probability = static_cast<float>(a.get_double("xtc-probability", d.xtc_probability, 0, 1));
  d.xtc_threshold = static_cast<float>(a.get_double("xtc-threshold", d.xtc_threshold, 0, 1));
  d.top_n_sigma = static_cast<float>(a.get_double("top-nsigma", d.top_n_sigma, -100, 100));
  d.mirostat.version = static_cast<int>(a.get_int("mirostat", d.mirostat.version, 0, 2));
  d.mirostat.eta = static_cast<float>(a.get_double("mirostat-lr", d.mirostat.eta, 0, 10));
  d.mirostat.tau = static_cast<float>(a.get_double("mirostat-ent", d.mirostat.tau, 0, 100));
}

}  // namespace

runtime::SamplerOptions sampling_options(const Args& a, runtime::SamplerOptions d) {
  // As llama.cpp: a temperature at or below 0 is greedy, a top-k at or below 0 no limit.
  d.temperature = std::max(0.0f, static_cast<float>(a.get_double("temperature", d.temperature, -1e9, 1e9)));
  d.dynatemp_range = static_cast<float>(a.get_double("dynatemp-range", d.dynatemp_range, -1e9, 1e9));
  d.dynatemp_exponent = static_cast<float>(a.get_double("dynatemp-exp", d.dynatemp_exponent, 0, 100));
  d.top_k = std::max<int64_t>(0, a.get_int("top-k", d.top_k, INT64_MIN, int64_t{1} << 30));
  d.top_p = static_cast<float>(a.get_double("top-p", d.top_p, 0, 1));
  d.min_p = static_cast<float>(a.get_double("min-p", d.min_p, 0, 1));
  d.typical_p = static_cast<float>(a.get_double("typical", d.typical_p, 0, 1));
  d.repetition_penalty = static_cast<float>(a.get_double("repeat-penalty", d.repetition_penalty, 0.01, 100));
  d.repetition_window = a.get_int("repeat-last-n", d.repetition_window, -1, int64_t{1} << 30);
  d.presence_penalty = static_cast<float>(a.get_double("presence-penalty", d.presence_penalty, -100, 100));
  d.frequency_penalty = static_cast<float>(a.get_double("frequency-penalty", d.frequency_penalty, -100, 100));
  read_chain_flags(a, d);
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

// The sampling flags lmc run, chat and serve share, spelled as llama.cpp spells them, and
// llama-server's defaults for requests that leave a field out (docs/serving.md: the chain).
#pragma once
#include <optional>
#include <vector>

#include "runtime/sampler.h"
#include "tools/lmc/flags/cli_args.h"

namespace lmc::tools {

std::vector<FlagSpec> sampling_flag_specs();

// `defaults` with every sampling flag given in `a` in its place. The seed is not read here:
// seed_flag says it.
runtime::SamplerOptions sampling_options(const Args& a, runtime::SamplerOptions defaults);

// A seed drawn at random, one --seed accepts.
uint64_t random_seed();
// --seed: none when absent, a random one for -1 (as llama.cpp), else its value.
std::optional<uint64_t> seed_flag(const Args& a);

// llama-server's: temperature 0.8, top-k 40, top-p 0.95, min-p 0.05, penalties off.
runtime::SamplerOptions server_sampling_defaults();

}  // namespace lmc::tools

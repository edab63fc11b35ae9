// llama-server's request fields for the samplers beyond OpenAI's (docs/serving.md): the
// chain's order (`samplers`), DRY, XTC, Mirostat and top-n-sigma, each checked for type and
// range, else an ApiError (HTTP 400) names it.
#pragma once
#include <set>
#include <string>

#include <nlohmann/json.hpp>

#include "runtime/sampler.h"

namespace lmc::tools {

// samplers, dry_multiplier, dry_base, dry_allowed_length, dry_penalty_last_n,
// dry_sequence_breakers, xtc_probability, xtc_threshold, min_keep, mirostat, mirostat_tau,
// mirostat_eta, top_n_sigma.
const std::set<std::string>& sampler_field_names();
// `s` with each of those fields `body` gives in its place.
void read_sampler_fields(const nlohmann::json& body, runtime::SamplerOptions& s);

}  // namespace lmc::tools

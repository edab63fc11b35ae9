#include "tools/serve/fields/sampler_fields.h"

#include "tools/serve/fields/request_fields.h"

namespace lmc::tools {

namespace {

using nlohmann::json;
using runtime::SamplerStage;

// As llama-server: an array of stage names, or a string of --sampling-seq's letters.
std::vector<SamplerStage> sampler_order(const json& v) {
  std::vector<SamplerStage> order;
  if (v.is_string()) {
    for (char c : v.get<std::string>()) {
      auto stage = runtime::sampler_stage_lettered(c);
      if (!stage)
        invalid_field("samplers", std::string("'samplers': no sampler is lettered '") + c +
                                      "' (e penalties, d dry, s top_n_sigma, k top_k, y typ_p, p top_p, m min_p, x "
                                      "xtc, t temperature)");
      order.push_back(*stage);
    }
    return order;
  }
  if (!v.is_array()) invalid_field("samplers", "'samplers' must be an array of sampler names or a string of letters");
  for (const json& name : v) {
    auto stage = name.is_string() ? runtime::sampler_stage_named(name.get<std::string>(), true) : std::nullopt;
    if (!stage)
      invalid_field("samplers", "'samplers': unknown sampler " + name.dump() +
                                    " (penalties, dry, top_n_sigma, top_k, typ_p, top_p, min_p, xtc, temperature)");
    order.push_back(*stage);
  }
  return order;
}

std::vector<std::string> sequence_breakers(const json& v) {
  if (!v.is_array() || v.empty())
    invalid_field("dry_sequence_breakers", "'dry_sequence_breakers' must be a non-empty array of strings");
  std::vector<std::string> out;
  for (const json& b : v) {
    if (!b.is_string() || b.get_ref<const std::string&>().empty())
      invalid_field("dry_sequence_breakers", "'dry_sequence_breakers' must hold non-empty strings");
    out.push_back(b.get<std::string>());
  }
  return out;
}

}  // namespace

const std::set<std::string>& sampler_field_names() {
  static const std::set<std::string> names = {"samplers",           "dry_multiplier",     "dry_base",
                                              "dry_allowed_length", "dry_penalty_last_n", "dry_sequence_breakers",
                                              "xtc_probability",    "xtc_threshold",      "min_keep",
                                              "mirostat",           "mirostat_tau",       "mirostat_eta",
                                              "top_n_sigma",        "dynatemp_range",     "dynatemp_exponent"};
  return names;
}

void read_sampler_fields(const json& body, runtime::SamplerOptions& s) {
  constexpr int64_t kMax = int64_t{1} << 30;
  if (const json* v = given_field(body, "samplers")) s.samplers = sampler_order(*v);
  s.dry.multiplier = static_cast<float>(number(body, "dry_multiplier", s.dry.multiplier, 0, 100));
  s.dry.base = static_cast<float>(number(body, "dry_base", s.dry.base, 0, 100));
  s.dry.allowed_length = integer(body, "dry_allowed_length", 0, kMax).value_or(s.dry.allowed_length);
  s.dry.penalty_last_n = integer(body, "dry_penalty_last_n", -1, kMax).value_or(s.dry.penalty_last_n);
  if (const json* v = given_field(body, "dry_sequence_breakers")) s.dry.sequence_breakers = sequence_breakers(*v);
  s.xtc_probability = static_cast<float>(number(body, "xtc_probability", s.xtc_probability, 0, 1));
  s.xtc_threshold = static_cast<float>(number(body, "xtc_threshold", s.xtc_threshold, 0, 1));
  s.min_keep = integer(body, "min_keep", 0, kMax).value_or(s.min_keep);
  s.mirostat.version = static_cast<int>(integer(body, "mirostat", 0, 2).value_or(s.mirostat.version));
  s.mirostat.tau = static_cast<float>(number(body, "mirostat_tau", s.mirostat.tau, 0, 100));
  s.mirostat.eta = static_cast<float>(number(body, "mirostat_eta", s.mirostat.eta, 0, 10));
  s.top_n_sigma = static_cast<float>(number(body, "top_n_sigma", s.top_n_sigma, -100, 100));
  s.dynatemp_range = static_cast<float>(number(body, "dynatemp_range", s.dynatemp_range, -1e9, 1e9));
  s.dynatemp_exponent = static_cast<float>(number(body, "dynatemp_exponent", s.dynatemp_exponent, 0, 100));
}

}  // namespace lmc::tools

// The samplers' flags of lmc run, chat and serve (llama.cpp's spellings) and the request
// fields of lmc serve (llama-server's names): each reaches its SamplerOptions field, and a
// bad value is a usage error or a 400 naming it.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "tools/lmc/flags/sampling_flags.h"
#include "tools/serve/fields/sampler_fields.h"
#include "tools/serve/request/serve_request.h"

namespace lmc::tools {
namespace {

using runtime::SamplerStage;

runtime::SamplerOptions flags(std::vector<std::string> words) {
  std::vector<char*> argv{const_cast<char*>("lmc"), const_cast<char*>("run")};
  for (auto& w : words) argv.push_back(w.data());
  Args a(sampling_flag_specs(), static_cast<int>(argv.size()), argv.data(), 2, kCli);
  return sampling_options(a, {});
}

std::string usage_error(std::vector<std::string> words) {
  try {
    flags(std::move(words));
  } catch (const UsageError& e) {
    return e.what();
  }
  return "(no error)";
}

TEST(SamplerFlags, EachFlagSetsItsOption) {
  const runtime::SamplerOptions o = flags({"--dry-multiplier",     "0.8",
                                           "--dry-base",           "2",
                                           "--dry-allowed-length", "3",
                                           "--dry-penalty-last-n", "64",
                                           "--xtc-probability",    "0.5",
                                           "--xtc-threshold",      "0.2",
                                           "--top-nsigma",         "1.5",
                                           "--mirostat",           "2",
                                           "--mirostat-lr",        "0.3",
                                           "--mirostat-ent",       "4",
                                           "--samplers",           "top-k;temp;dry"});
  EXPECT_FLOAT_EQ(o.dry.multiplier, 0.8f);
  EXPECT_FLOAT_EQ(o.dry.base, 2);
  EXPECT_EQ(o.dry.allowed_length, 3);
  EXPECT_EQ(o.dry.penalty_last_n, 64);
  EXPECT_FLOAT_EQ(o.xtc_probability, 0.5f);
  EXPECT_FLOAT_EQ(o.xtc_threshold, 0.2f);
  EXPECT_FLOAT_EQ(o.top_n_sigma, 1.5f);
  EXPECT_EQ(o.mirostat.version, 2);
  EXPECT_FLOAT_EQ(o.mirostat.eta, 0.3f);
  EXPECT_FLOAT_EQ(o.mirostat.tau, 4);
  EXPECT_EQ(o.samplers,
            (std::vector<SamplerStage>{SamplerStage::kTopK, SamplerStage::kTemperature, SamplerStage::kDry}));
  EXPECT_EQ(flags({"--sampling-seq", "kxt"}).samplers,
            (std::vector<SamplerStage>{SamplerStage::kTopK, SamplerStage::kXtc, SamplerStage::kTemperature}));
  EXPECT_FLOAT_EQ(flags({"--top-n-sigma", "2"}).top_n_sigma, 2);
}

TEST(SamplerFlags, DefaultsAreLlamaCpps) {
  const runtime::SamplerOptions o = flags({});
  EXPECT_EQ(o.samplers, runtime::default_sampler_order());
  EXPECT_EQ(o.dry.sequence_breakers, (std::vector<std::string>{"\n", ":", "\"", "*"}));
  EXPECT_FLOAT_EQ(o.dry.base, 1.75f);
  EXPECT_EQ(o.dry.allowed_length, 2);
  EXPECT_EQ(o.dry.penalty_last_n, -1);
  EXPECT_FLOAT_EQ(o.xtc_threshold, 0.1f);
  EXPECT_FLOAT_EQ(o.mirostat.tau, 5);
  EXPECT_FLOAT_EQ(o.mirostat.eta, 0.1f);
  EXPECT_FLOAT_EQ(o.top_n_sigma, -1);
}

// As llama.cpp: the first breaker given replaces the defaults, "none" clears the list.
TEST(SamplerFlags, SequenceBreakersReplaceTheDefaults) {
  EXPECT_EQ(flags({"--dry-sequence-breaker", "##", "--dry-sequence-breaker", "\n"}).dry.sequence_breakers,
            (std::vector<std::string>{"##", "\n"}));
  EXPECT_TRUE(flags({"--dry-sequence-breaker", "none"}).dry.sequence_breakers.empty());
  EXPECT_EQ(flags({"--dry-sequence-breaker", "none", "--dry-sequence-breaker", "."}).dry.sequence_breakers,
            (std::vector<std::string>{"."}));
}

TEST(SamplerFlags, BadValuesNameTheFlag) {
  EXPECT_NE(usage_error({"--samplers", "top_k;infill"}).find("'infill'"), std::string::npos);
  EXPECT_NE(usage_error({"--sampling-seq", "kq"}).find("'q'"), std::string::npos);
  EXPECT_NE(usage_error({"--mirostat", "3"}).find("--mirostat"), std::string::npos);
  EXPECT_NE(usage_error({"--xtc-probability", "1.5"}).find("--xtc-probability"), std::string::npos);
  EXPECT_NE(usage_error({"--dry-penalty-last-n", "-2"}).find("--dry-penalty-last-n"), std::string::npos);
  EXPECT_NE(usage_error({"--dry-sequence-breaker", ""}).find("--dry-sequence-breaker"), std::string::npos);
}

runtime::SamplerOptions fields(const std::string& body) {
  runtime::SamplerOptions s;
  read_sampler_fields(nlohmann::json::parse(body), s);
  return s;
}

std::string bad_field(const std::string& body) {
  try {
    fields(body);
  } catch (const ApiError& e) {
    EXPECT_EQ(e.status, 400);
    return e.param;
  }
  return "(no error)";
}

TEST(SamplerFields, EachFieldSetsItsOption) {
  const runtime::SamplerOptions s = fields(R"({"samplers": ["top_k", "temperature"], "dry_multiplier": 0.5,
      "dry_base": 2, "dry_allowed_length": 4, "dry_penalty_last_n": 0, "dry_sequence_breakers": ["a", "bc"],
      "xtc_probability": 0.25, "xtc_threshold": 0.3, "min_keep": 2, "mirostat": 1, "mirostat_tau": 3,
      "mirostat_eta": 0.5, "top_n_sigma": 1})");
  EXPECT_EQ(s.samplers, (std::vector<SamplerStage>{SamplerStage::kTopK, SamplerStage::kTemperature}));
  EXPECT_FLOAT_EQ(s.dry.multiplier, 0.5f);
  EXPECT_FLOAT_EQ(s.dry.base, 2);
  EXPECT_EQ(s.dry.allowed_length, 4);
  EXPECT_EQ(s.dry.penalty_last_n, 0);
  EXPECT_EQ(s.dry.sequence_breakers, (std::vector<std::string>{"a", "bc"}));
  EXPECT_FLOAT_EQ(s.xtc_probability, 0.25f);
  EXPECT_FLOAT_EQ(s.xtc_threshold, 0.3f);
  EXPECT_EQ(s.min_keep, 2);
  EXPECT_EQ(s.mirostat.version, 1);
  EXPECT_FLOAT_EQ(s.mirostat.tau, 3);
  EXPECT_FLOAT_EQ(s.mirostat.eta, 0.5f);
  EXPECT_FLOAT_EQ(s.top_n_sigma, 1);
  // A string is llama-server's letters; null is no field.
  EXPECT_EQ(fields(R"({"samplers": "ypt"})").samplers,
            (std::vector<SamplerStage>{SamplerStage::kTypicalP, SamplerStage::kTopP, SamplerStage::kTemperature}));
  EXPECT_EQ(fields(R"({"samplers": null})").samplers, runtime::default_sampler_order());
  EXPECT_TRUE(fields(R"({"samplers": []})").samplers.empty());
}

TEST(SamplerFields, BadValuesAre400sNamingTheField) {
  for (const std::string& name : sampler_field_names()) {
    const std::string body = "{\"" + name + "\": {\"x\": 1}}";
    EXPECT_EQ(bad_field(body), name) << body;
  }
  EXPECT_EQ(bad_field(R"({"samplers": ["top_k", "nope"]})"), "samplers");
  EXPECT_EQ(bad_field(R"({"samplers": "kz"})"), "samplers");
  EXPECT_EQ(bad_field(R"({"samplers": [3]})"), "samplers");
  EXPECT_EQ(bad_field(R"({"dry_sequence_breakers": []})"), "dry_sequence_breakers");
  EXPECT_EQ(bad_field(R"({"dry_sequence_breakers": ["a", ""]})"), "dry_sequence_breakers");
  EXPECT_EQ(bad_field(R"({"mirostat": 3})"), "mirostat");
  EXPECT_EQ(bad_field(R"({"mirostat": 1.5})"), "mirostat");
  EXPECT_EQ(bad_field(R"({"xtc_probability": 1.01})"), "xtc_probability");
  EXPECT_EQ(bad_field(R"({"dry_penalty_last_n": -2})"), "dry_penalty_last_n");
  EXPECT_EQ(bad_field(R"({"dry_multiplier": -0.5})"), "dry_multiplier");
  EXPECT_EQ(bad_field(R"({"min_keep": -1})"), "min_keep");
}

}  // namespace
}  // namespace lmc::tools

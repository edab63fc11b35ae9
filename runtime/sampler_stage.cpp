#include "runtime/sampler_stage.h"

#include <array>
#include <utility>

namespace lmc::runtime {

namespace {

struct StageSpelling {
  SamplerStage stage;
  std::string_view name;
  char letter;
};

constexpr std::array<StageSpelling, 9> kStages = {{
    {SamplerStage::kPenalties, "penalties", 'e'},
    {SamplerStage::kDry, "dry", 'd'},
    {SamplerStage::kTopNSigma, "top_n_sigma", 's'},
    {SamplerStage::kTopK, "top_k", 'k'},
    {SamplerStage::kTypicalP, "typ_p", 'y'},
    {SamplerStage::kTopP, "top_p", 'p'},
    {SamplerStage::kMinP, "min_p", 'm'},
    {SamplerStage::kXtc, "xtc", 'x'},
    {SamplerStage::kTemperature, "temperature", 't'},
}};

constexpr std::array<std::pair<std::string_view, SamplerStage>, 10> kOtherSpellings = {{
    {"top-k", SamplerStage::kTopK},
    {"top-p", SamplerStage::kTopP},
    {"top-n-sigma", SamplerStage::kTopNSigma},
    {"nucleus", SamplerStage::kTopP},
    {"typical-p", SamplerStage::kTypicalP},
    {"typical", SamplerStage::kTypicalP},
    {"typ-p", SamplerStage::kTypicalP},
    {"typ", SamplerStage::kTypicalP},
    {"min-p", SamplerStage::kMinP},
    {"temp", SamplerStage::kTemperature},
}};

}  // namespace

std::vector<SamplerStage> default_sampler_order() {
  std::vector<SamplerStage> order;
  for (const StageSpelling& s : kStages) order.push_back(s.stage);
  return order;
}

std::optional<SamplerStage> sampler_stage_named(std::string_view name, bool other_spellings) {
  for (const StageSpelling& s : kStages)
    if (s.name == name) return s.stage;
  if (other_spellings)
    for (const auto& [spelling, stage] : kOtherSpellings)
      if (spelling == name) return stage;
  return std::nullopt;
}

std::optional<SamplerStage> sampler_stage_lettered(char letter) {
  for (const StageSpelling& s : kStages)
    if (s.letter == letter) return s.stage;
  return std::nullopt;
}

std::string_view sampler_stage_name(SamplerStage stage) {
  for (const StageSpelling& s : kStages)
    if (s.stage == stage) return s.name;
  return {};
}

}  // namespace lmc::runtime

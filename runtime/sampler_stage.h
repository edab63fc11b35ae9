// The stages of llama.cpp's sampler chain, which a `samplers` list orders (llama.cpp's
// --samplers, llama-server's `samplers`): their names, llama.cpp's other spellings of them
// and the letters of its --sampling-seq.
#pragma once
#include <optional>
#include <string_view>
#include <vector>

namespace lmc::runtime {

enum class SamplerStage { kPenalties, kDry, kTopNSigma, kTopK, kTypicalP, kTopP, kMinP, kXtc, kTemperature };

// llama.cpp's: penalties, dry, top_n_sigma, top_k, typ_p, top_p, min_p, xtc, temperature.
std::vector<SamplerStage> default_sampler_order();
// The canonical name ("typ_p"); with `other_spellings`, llama.cpp's aliases as well
// ("typical", "top-k", "nucleus", "temp").
std::optional<SamplerStage> sampler_stage_named(std::string_view name, bool other_spellings);
// --sampling-seq's letter: e d s k y p m x t.
std::optional<SamplerStage> sampler_stage_lettered(char letter);
std::string_view sampler_stage_name(SamplerStage stage);

}  // namespace lmc::runtime

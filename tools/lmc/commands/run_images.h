// lmc run's images (llama-mtmd-cli's --mmproj and repeatable --image): each image encoded by
// the mmproj's vision tower (driver/image_encoder.h) and placed in the prompt as mtmd places
// it (driver/image_prompt.h), for a text model whose definition reads image rows
// (gemma3.yaml's and llama.yaml's image_rows and image_mask; key_ends for images that attend
// to each other).
#pragma once
#include <optional>
#include <string>
#include <vector>

#include "driver/image_prompt.h"
#include "driver/open_model.h"
#include "tools/lmc/flags/cli_args.h"

namespace lmc::tools {

std::vector<FlagSpec> image_flag_specs();

// The prompt with the --image files' embeddings, or none without --image. Throws
// UsageError for --image without --mmproj (or the reverse), lmc::Error naming `model` when
// its definition reads no image rows, naming an image file or the mmproj that cannot be read.
std::optional<driver::ImagePrompt> prompt_images(const Args& a, const driver::LoadedModel& m, const std::string& model,
                                                 const std::string& prompt, int threads);

}  // namespace lmc::tools

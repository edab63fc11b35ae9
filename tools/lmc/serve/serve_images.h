// lmc serve's images (llama-server's --mmproj FILE and --no-mmproj): the vision tower
// compiled when the server starts, as lmc run --mmproj compiles it, for a text model whose
// definition reads image rows (gemma3.yaml's image_rows, image_mask and key_ends).
#pragma once
#include <cstddef>
#include <memory>
#include <string>
#include <vector>

#include "driver/open_model.h"
#include "tools/lmc/flags/cli_args.h"
#include "tools/serve/engine/image_input.h"

namespace lmc::tools {

std::vector<FlagSpec> serve_image_flag_specs();

// The largest request body a server that reads images takes (one without takes 1 MiB).
inline constexpr size_t kImageBodyBytes = size_t{16} << 20;

// The server's image input, or none without --mmproj (or with --no-mmproj). Throws lmc::Error
// naming `model` when its definition reads no images, or the mmproj when it cannot be read.
std::unique_ptr<ImageInput> serve_images(const Args& a, const driver::LoadedModel& m, const std::string& model,
                                         int threads);

}  // namespace lmc::tools

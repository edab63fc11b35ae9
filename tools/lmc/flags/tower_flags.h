// The vision tower of --mmproj (lmc run, lmc serve, lmc encode-image): the mmproj opened as
// weights are (driver/image_encoder.h), compiled once into the compile cache and mapped
// from it after, with the compile flags (--passes, --target, ...) and the cache's
// (--cache-dir, --no-cache, ...) the command was given.
#pragma once
#include <memory>
#include <string>

#include "driver/image_encoder.h"
#include "tools/lmc/flags/cli_args.h"

namespace lmc::tools {

std::unique_ptr<driver::ImageEncoder> open_tower(const std::string& mmproj, const Args& a, int threads);

}  // namespace lmc::tools

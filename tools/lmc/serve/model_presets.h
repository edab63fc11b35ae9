// llama-server's model presets (--models-preset FILE), an INI file:
//
//   version = 1
//   [*]                      ; every model's
//   c = 4096
//   [Qwen3-8B-Q4_K_M]        ; a model of --models-dir: flags of its own
//   temp = 0.6
//   load-on-startup = true
//   [my-model]               ; a model of its own
//   model = /models/my-model.gguf
//
// A key is an lmc serve flag without its dashes (a long name, or a short one: c, np), a
// value its value; a switch is `true` (given) or `false` (not given, over [*]'s). The model's
// keys win over [*]'s, and the router's command line over both. Besides flags: `model` (its
// file, relative to the folder lmc runs in), `load-on-startup` (loaded as the router starts),
// `stop-timeout` (seconds from SIGTERM to SIGKILL when it is unloaded, default 10) and
// `dedup-cache-models` (llama-server's, which hides models of its download cache: lmc has none).
// What does not read is an error naming the file, the line and why.
#pragma once
#include <functional>
#include <string>
#include <vector>

#include "tools/serve/engine/router_options.h"

namespace lmc::tools {

// Throws UsageError when lmc serve does not take `flags` (a preset's key and value as
// spelled on a command line).
using FlagCheck = std::function<void(const std::vector<std::string>& flags)>;

// `models` (--models-dir's) with the preset's flags, and its own models added; sorted by name.
void apply_presets(const std::string& file, const FlagCheck& check, std::vector<RouterModel>& models);

}  // namespace lmc::tools

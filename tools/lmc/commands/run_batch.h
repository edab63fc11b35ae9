// lmc run --prompts FILE: every line of FILE is a prompt, generated at once with
// continuous batching (runtime/batch_generator.h) in up to --parallel sequence slots.
// Each prompt's result is one JSON line on stdout as it ends ({"index", "text",
// "finish_reason", "prompt_tokens", "completion_tokens"}); with --logits-out DIR, its
// prompt rows' and decode steps' logits go to DIR/INDEX.npy.
#pragma once
#include <string>

#include "tools/lmc/flags/cli_args.h"

namespace lmc::tools {

int run_batch(const Args& a, const std::string& model);

}  // namespace lmc::tools

// The flags that choose how a model is compiled or opened: compile flags for a model
// definition or weights (weights, definition, context, passes, target, dumps), trust
// flags for an artifact.
#pragma once
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "driver/compile.h"
#include "driver/model_input.h"
#include "driver/open_model.h"
#include "tools/lmc/flags/cli_args.h"

namespace lmc::tools {

std::vector<FlagSpec> compile_flag_specs();
// The target when --target is not given: Portable (the AVX2 baseline) for what is written
// to be copied, Host (this CPU's ISA) for a model compiled here to run here.
enum class TargetDefault { Portable, Host };
driver::CompileRequest compile_request(const std::string& model, const Args& a, TargetDefault target);
// What a command decides itself in place of the user's flags.
struct OpenOverride {
  int64_t context = 0;  // positions the KV caches hold; 0: --ctx-size, else the model's
  // Compiles with this pipeline instead of --passes, without the pass-option flags (they
  // are the other pipeline's): lmc perplexity's base model.
  std::optional<std::string> pipeline;
  // A pass run before the pipeline when the model is compiled here (lmc serve --embeddings:
  // embedding-output); an artifact is taken as it was compiled.
  std::string first_pass;
  // Changes the compile request last, when the model is compiled here (lmc bench
  // --vs-pipeline --report watches one pipeline's compile).
  std::function<void(driver::CompileRequest&)> adjust;
};

// Every flag open_model reads: compile flags, an artifact's trust flags, the compile
// cache's and the kernel loader's.
std::vector<FlagSpec> open_flag_specs();
// Refuses flags that do not apply to the kind of model `path` is.
driver::LoadedModel open_model(const std::string& path, const Args& a, const OpenOverride& o = {});
// The model a command runs: the positional MODEL or -m/--model (llama.cpp's habit), one of them.
std::string model_argument(const Args& a, const std::string& command);

}  // namespace lmc::tools

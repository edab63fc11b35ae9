// lmc perplexity: a model's perplexity on a text (driver/perplexity.h), and with a base
// model, how far this one's next-token distributions are from the base's.
#include <fstream>
#include <iostream>
#include <memory>
#include <sstream>

#include "driver/perplexity.h"
#include "support/error.h"
#include "tools/lmc/commands/commands.h"
#include "tools/lmc/flags/artifact_flags.h"
#include "tools/lmc/flags/cache_flags.h"
#include "tools/lmc/flags/jit_flags.h"
#include "tools/lmc/flags/llama_flags.h"
#include "tools/lmc/flags/model_flags.h"
#include "tools/lmc/flags/pass_flags.h"
#include "tools/lmc/flags/run_flags.h"
#include "tools/lmc/process/progress.h"
#include "tools/lmc/reports/load_summary.h"
#include "tools/lmc/reports/perplexity_report.h"

namespace lmc::tools {

namespace {

std::vector<FlagSpec> specs() {
  auto s = open_flag_specs();
  s.push_back({"model", true, "the model (instead of the positional MODEL)", "MODEL", false, "m"});
  s.push_back({"file", true, "the text to score (- for stdin)", "FILE", false, "f"});
  s.push_back({"ctx-size", true, "tokens a chunk holds (default 512); its second half is scored", "N", false, "c"});
  s.push_back({"chunks", true, "score at most N chunks (default: all the text holds)", "N"});
  s.push_back({"threads", true, "worker threads (default: the machine's cores)", "N", false, "t"});
  s.push_back({"kl-base", true,
               "compare with the same model compiled with PIPELINE (e.g. none: F32): KL "
               "divergence, same top token, probability of the next token",
               "PIPELINE"});
  s.push_back({"kl-base-model", true,
               "compare with MODEL (the same vocabulary): an artifact as compiled, else "
               "compiled with --kl-base's pipeline (default none)",
               "MODEL"});
  s.push_back({"output", true, "text (default) or json", "FORMAT", false, "o"});
  s.push_back({"kl-divergence-base",
               true,
               "llama-perplexity's file of base logits (accepted, does nothing)",
               "FILE",
               false,
               "",
               {},
               {},
               "lmc writes no logits file: --kl-base-model BASE compares with the base model in the same run"});
  s.push_back({"hellaswag",
               false,
               "llama-perplexity's HellaSwag score (accepted, does nothing)",
               "",
               false,
               "",
               {},
               {},
               "lmc perplexity scores no HellaSwag tasks: this run is the perplexity of -f's text"});
  for (auto& f : llama_flag_specs()) s.push_back(f);
  s.push_back({"help", false, "show this help", "", false, "h"});
  return s;
}

std::string read_text(const std::string& file) {
  std::stringstream ss;
  if (file == "-") {
    ss << std::cin.rdbuf();
  } else {
    std::ifstream in(file, std::ios::binary);
    if (!in || !(ss << in.rdbuf())) throw Error(file + ": error: cannot read the text");
  }
  return ss.str();
}

runtime::ExecutorOptions scoring_executor(int threads, const driver::LoadedModel& m) {
  runtime::ExecutorOptions o;
  o.threads = threads;
  o.max_logit_rows = m.info.step_tokens;  // every scored row's logits, a step at a time
  return o;
}

// The pipeline the model was compiled with: as the user spelled it, or as an artifact's
// manifest records it.
std::string pipeline_of(const std::string& model, const driver::LoadedModel& m, const Args& a) {
  if (driver::model_input(model) == driver::ModelInput::Artifact) return m.artifact->parsed_manifest().pipeline;
  return a.get_or("passes", "default");
}

}  // namespace

int cmd_perplexity(int argc, char** argv) {
  load_pass_plugins(argc, argv);
  std::optional<Args> parsed =
      command_args(specs(), argc, argv,
                   "usage: lmc perplexity MODEL -f TEXT [options]\n\n"
                   "Perplexity of MODEL (.lmc, .yaml, .gguf or Hugging Face folder) on a text, computed\n"
                   "as llama-perplexity does: chunks of --ctx-size tokens, each from an empty cache,\n"
                   "the second half of each scored. With --kl-base or --kl-base-model, the same chunks\n"
                   "run through a base model too, and every scored token's distributions are compared.\n\n"
                   "options:\n");
  if (!parsed) return 0;  // --help
  const Args& a = *parsed;
  const std::string model = model_argument(a, "lmc perplexity");
  if (!a.has("file")) throw UsageError("give the text to score with -f FILE");
  const std::string format = a.get_or("output", "text");
  if (format != "text" && format != "json") throw UsageError("-o must be text or json, not '" + format + "'");
  driver::PerplexityOptions po;
  po.context = a.get_int("ctx-size", 512, 4, int64_t{1} << 24);
  po.max_chunks = a.get_int("chunks", 0, 1, int64_t{1} << 40);
  const std::string text_file = *a.get("file");
  const std::string text = read_text(text_file);
  const bool compare = a.has("kl-base") || a.has("kl-base-model");

  const std::string base_path = a.get_or("kl-base-model", model);
  // A compiled base runs as it was compiled; only a definition or weights take --kl-base.
  const bool base_is_compiled = driver::model_input(base_path) == driver::ModelInput::Artifact;
  if (compare && base_is_compiled && a.has("kl-base"))
    throw UsageError("--kl-base compiles the base with another pipeline, but " + base_path +
                     " is compiled already (give its model definition or weights, or --kl-base-model)");
  driver::LoadedModel m = open_model(model, a, {po.context, std::nullopt, "", {}});
  const models::Tokenizer& tok = *m.tokenizer;
  // As llama-perplexity: special-token text in the corpus is plain text.
  std::vector<int32_t> ids = tok.encode(text, tok.wants_bos(), false);
  po.bos = tok.wants_bos() ? tok.bos() : -1;
  try {
    driver::perplexity_chunks(static_cast<int64_t>(ids.size()), po);
  } catch (const Error& e) {
    throw error_at(text_file, e.what());
  }
  const auto threads = static_cast<int>(a.get_int("threads", runtime::default_threads(), 1, 1024));
  runtime::Executor ex(*m.graph, m.kernels, *m.weights, m.info, scoring_executor(threads, m));
  print_load_summary(m, ex);
  PerplexityHeader h{model,     pipeline_of(model, m, a),        base_path, a.get_or("kl-base", "none"),
                     text_file, static_cast<int64_t>(ids.size())};
  driver::LoadedModel base_model;
  std::unique_ptr<runtime::Executor> base;
  if (compare) {
    OpenOverride how{po.context, std::nullopt, "", {}};
    if (!base_is_compiled) how.pipeline = h.base_pipeline;
    base_model = open_model(h.base_model, a, how);
    base = std::make_unique<runtime::Executor>(*base_model.graph, base_model.kernels, *base_model.weights,
                                               base_model.info, scoring_executor(threads, base_model));
    print_load_summary(base_model, *base);
    if (base_is_compiled) h.base_pipeline = pipeline_of(base_path, base_model, a);
  }

  const bool json = format == "json";
  std::unique_ptr<Progress> bar;
  driver::PerplexityReport report;
  try {
    report = driver::measure_perplexity(ex, base.get(), ids, po, [&](int64_t c, const driver::PerplexityReport& r) {
      if (!bar) bar = std::make_unique<Progress>("perplexity", r.chunks);
      bar->update(c + 1);
      if (!json) print_chunk(c, r);
    });
  } catch (const Error& e) {
    throw error_at(model, e.what());
  }
  bar.reset();
  print_perplexity(h, report, json);
  return 0;
}

}  // namespace lmc::tools

// lmc run: generate text from an artifact (or a model YAML, GGUF or HF folder, compiled first: weights into the compile
// cache).
#include <cstdio>
#include <fstream>
#include <iostream>
#include <sstream>

#include "runtime/executor.h"
#include "runtime/generator.h"
#include "support/error.h"
#include "tools/lmc/chat/chat_session.h"
#include "tools/lmc/chat/raw_transcript.h"
#include "tools/lmc/commands/commands.h"
#include "tools/lmc/commands/prompt_cache.h"
#include "tools/lmc/commands/run_batch.h"
#include "tools/lmc/commands/run_images.h"
#include "tools/lmc/flags/artifact_flags.h"
#include "tools/lmc/flags/cache_flags.h"
#include "tools/lmc/flags/chat_template_flag.h"
#include "tools/lmc/flags/constraint_flags.h"
#include "tools/lmc/flags/draft_model_flag.h"
#include "tools/lmc/flags/jit_flags.h"
#include "tools/lmc/flags/model_flags.h"
#include "tools/lmc/flags/pass_flags.h"
#include "tools/lmc/flags/run_flags.h"
#include "tools/lmc/generation/generated_text.h"
#include "tools/lmc/generation/tokenizer_bounds.h"
#include "tools/lmc/npy/npy_writer.h"
#include "tools/lmc/process/process_world.h"
#include "tools/lmc/reports/load_summary.h"
#include "tools/lmc/reports/run_report.h"

namespace lmc::tools {

namespace {

std::vector<FlagSpec> specs() {
  auto s = generation_flag_specs();
  for (auto& f : executor_flag_specs()) s.push_back(f);
  for (auto& f : open_flag_specs()) s.push_back(f);
  for (auto& f : image_flag_specs()) s.push_back(f);
  s.push_back({"logits-out", true,
               "write the logits of every prompt position and generated step to FILE.npy "
               "(with --prompts: a folder, one INDEX.npy per prompt)",
               "FILE"});
  s.push_back({"prompts", true,
               "generate for every line of FILE (- for stdin) at once, batched; one JSON line "
               "per prompt on stdout as it ends",
               "FILE"});
  s.push_back({"parallel", true,
               "with --prompts: prompts generated at once, each with its own KV cache "
               "(default 4)",
               "N"});
  s.push_back({"conversation",
               false,
               "chat: each line of stdin is a message, answered in turn (as lmc chat)",
               "",
               false,
               "",
               {},
               {"cnv"}});
  s.push_back({"interactive", false,
               "as --conversation; with --stop (-r), --in-prefix or --in-suffix, llama.cpp's raw transcript instead: "
               "the text goes on from the prompt, and each line read is added to it where a --stop string ends "
               "the text"});
  for (auto& f : raw_transcript_flag_specs()) s.push_back(f);
  s.push_back({"single-turn",
               false,
               "answer the prompt once in the chat format, then exit (as --chat; llama.cpp's "
               "-st)",
               "",
               false,
               "",
               {},
               {"st"}});
  s.push_back({"no-conversation",
               false,
               "llama.cpp's (accepted, does nothing)",
               "",
               false,
               "",
               {},
               {"no-cnv"},
               "lmc run answers the prompt once unless --interactive (-cnv)"});
  s.push_back({"ignore-eos", false, "generate past the end-of-text token, up to --max-tokens"});
  s.push_back({"no-display-prompt", false, "print only the generated text, not the prompt before it"});
  s.push_back({"display-prompt", false, "print the prompt before the generated text (the default)"});
  s.push_back({"verbose-prompt", false, "print the prompt's tokens on stderr before generating, as llama.cpp"});
  s.push_back({"special",
               false,
               "print the special token that ends the answer too (<|im_end|>, <end_of_turn>)",
               "",
               false,
               "",
               {},
               {"sp"}});
  for (auto& f : chat_flag_specs()) s.push_back(f);
  for (auto& f : prompt_cache_flag_specs()) s.push_back(f);
  s.push_back(run_report_flag_spec());
  s.push_back({"help", false, "show this help", "", false, "h"});
  return s;
}

// --prompt, else --file (- is stdin), else stdin.
std::string read_prompt(const Args& a) {
  if (a.has("prompt") && a.has("file")) throw UsageError("give the prompt with --prompt or --file, not both");
  if (auto p = a.get("prompt")) return as_llama_reads(a, *p);
  std::stringstream ss;
  std::string file = a.get_or("file", "-");
  if (file == "-") {
    ss << std::cin.rdbuf();
  } else {
    std::ifstream in(file, std::ios::binary);
    if (!in || !(ss << in.rdbuf())) throw Error(file + ": error: cannot read the prompt");
  }
  std::string s = ss.str();
  while (!s.empty() && s.back() == '\n') s.pop_back();
  return file == "-" ? s : as_llama_reads(a, s);
}

// --verbose-prompt: the prompt and its tokens, as llama.cpp prints them.
void print_prompt_tokens(const std::string& prompt, const std::vector<int32_t>& ids, const models::Tokenizer& tok) {
  std::fprintf(stderr, "lmc: prompt: '%s'\nlmc: number of tokens in prompt = %zu\n", prompt.c_str(), ids.size());
  for (int32_t id : ids) std::fprintf(stderr, "%6d -> '%s'\n", id, tok.token_text(id).c_str());
  std::fputc('\n', stderr);
}

// An empty prompt, as llama.cpp reads it: generation starts from the beginning-of-text
// token alone; a model without one has nothing to start from.
std::vector<int32_t> start_of_text(const models::Tokenizer& tok, const std::string& model) {
  if (tok.bos() < 0)
    throw error_at(model, "the prompt is empty and the model has no beginning-of-text token to start from");
  std::fprintf(stderr, "lmc: the prompt is empty: generating from the beginning-of-text token '%s'\n",
               tok.token_text(tok.bos()).c_str());
  return {tok.bos()};
}

void print_stats(const runtime::GenerationStats& s) {
  std::fprintf(stderr,
               "\nlmc: prompt %lld tokens at %.1f tok/s, time to first token %.0f ms; "
               "decode %lld tokens at %.1f tok/s\n",
               static_cast<long long>(s.prompt_tokens), s.prefill_tokens_per_second(), s.prefill_seconds * 1e3,
               static_cast<long long>(s.decode_tokens), s.decode_tokens_per_second());
  if (s.drafted > 0)
    std::fprintf(stderr, "lmc: speculative decoding: %lld steps for %lld tokens; %lld of %lld drafted tokens kept\n",
                 static_cast<long long>(s.decode_steps), static_cast<long long>(s.decode_tokens),
                 static_cast<long long>(s.accepted), static_cast<long long>(s.drafted));
}

}  // namespace

int cmd_run(int argc, char** argv) {
  load_pass_plugins(argc, argv);
  std::optional<Args> parsed =
      command_args(specs(), argc, argv,
                   "usage: lmc run MODEL.lmc|MODEL.yaml|MODEL.gguf|HF_FOLDER [--prompt TEXT | --prompts FILE] "
                   "[options]\n\n"
                   "Generates text, streaming it to stdout; the load summary and speed go to stderr.\n"
                   "A .yaml is compiled in memory first; a .gguf or Hugging Face folder is compiled\n"
                   "once into the compile cache and opened from it on later runs (the compile options\n"
                   "apply; see lmc cache --help).\n\noptions:\n",
                   kCli);
  if (!parsed) return 0;  // --help
  const Args& a = *parsed;
  const std::string model = model_argument(a, "lmc run");
  auto report = RunReport::open(a);
  auto gen = generate_options(a);
  check_draft_model_flags(a, gen);
  const ConstraintFlags constraint = constraint_flags(a);
  auto prompt_cache = PromptCache::from_flags(a);
  // A system message means a chat, as llama-completion switches to one for -sys.
  const bool chat = a.has("chat") || a.has("single-turn") || a.has("system") || a.has("system-file");
  if ((a.has("image") || a.has("mmproj")) &&
      (raw_transcript_asked(a) || a.has("prompts") ||
       ((a.has("interactive") || a.has("conversation")) && !a.has("single-turn"))))
    throw UsageError(
        "--image and --mmproj apply to one prompt (--prompt, --file or stdin), not a conversation or --prompts");
  if (raw_transcript_asked(a)) return run_raw_transcript(a, model);
  if ((a.has("interactive") || a.has("conversation")) && !a.has("single-turn")) return chat_command(a);
  if (a.has("prompts")) return run_batch(a, model);
  if (a.has("parallel")) throw UsageError("--parallel applies to --prompts");
  auto exec_opts = executor_options(a, gen);
  std::string prompt = read_prompt(a);

  driver::LoadedModel m = open_model(model, a);
  const models::Tokenizer& tok = *m.tokenizer;
  // The images' markers go in the user's message, as llama-mtmd-cli puts them.
  if (a.has("image")) prompt = driver::with_media_markers(prompt, a.all("image").size());
  if (chat) prompt = chat_template(m, a, model).single_turn(system_message(a), prompt, tok.wants_bos());
  const std::optional<driver::ImagePrompt> images =
      prompt_images(a, m, model, prompt, exec_opts.threads > 0 ? exec_opts.threads : runtime::default_threads());
  if (images && (prompt_cache || gen.draft_max > 0))
    throw UsageError("--image takes no prompt cache and no draft model");
  std::vector<int32_t> ids = images ? images->tokens : tok.encode(prompt, tok.wants_bos());
  if (ids.empty()) ids = start_of_text(tok, model);
  // Checked before anything is printed, so the error is the only output.
  if (static_cast<int64_t>(ids.size()) > m.info.context)
    throw error_at(model, "the prompt is " + std::to_string(ids.size()) + " tokens, more than the context of " +
                              std::to_string(m.info.context));
  if (a.has("verbose-prompt")) print_prompt_tokens(prompt, ids, tok);
  // Every row's logits wanted: plan the arena for whole prefill chunks of them.
  if (a.has("logits-out")) exec_opts.max_logit_rows = std::max(exec_opts.max_logit_rows, m.info.step_tokens);
  runtime::Executor ex(*m.graph, m.kernels, *m.weights, m.info, exec_opts);
  print_load_summary(m, ex);
  auto drafting = open_draft_model(a, ex, gen);

  bound_by_tokenizer(gen, tok);
  if (a.has("ignore-eos")) gen.is_eog = nullptr;
  int32_t ended_by = -1;  // the end-of-generation token sampled, for --special
  if (a.has("special") && gen.is_eog)
    gen.is_eog = [is_eog = gen.is_eog, &ended_by](int32_t t) {
      if (!is_eog(t)) return false;
      ended_by = t;
      return true;
    };
  gen.constraint = constraint_maker(constraint, tok, gen.max_tokens);
  std::unique_ptr<NpyWriter> logits;
  if (auto path = a.get("logits-out")) {
    // Under mpirun every rank computes the same rows (their steps must match); rank 0 writes them.
    gen.all_logits = true;
    if (!process_world() || process_world()->rank() == 0) {
      logits = std::make_unique<NpyWriter>(*path, ex.vocab());
      gen.on_logits = [&](int64_t, const float* row) { logits->append(row); };
    }
  }
  if (prompt_cache) ids = prompt_cache->start(m, ex, ids, gen);
  if (images) {
    gen.embeddings = images->spans;
    gen.embedding_width = images->width;
  }
  GeneratedText out(tok, stop_strings(a));
  // llama-completion shows the prompt as it reads it for generating; with -n 0 it shows nothing.
  if (!chat && !a.has("no-display-prompt") && gen.max_tokens != 0) std::cout << prompt << std::flush;
  auto stats = runtime::generate(ex, ids, gen, [&](int32_t id) {
    if (prompt_cache) prompt_cache->on_token(ex, id);
    std::cout << out.push(id) << std::flush;
    return !out.stopped();
  });
  if (prompt_cache) prompt_cache->finish(ex, stats.end_pos);
  std::cout << out.finish();
  // llama.cpp prints the text as generated, a reverse prompt included.
  if (out.stopped()) std::cout << out.stopping_word();
  if (stats.hit_eog && ended_by >= 0) std::cout << tok.token_text(ended_by);
  std::cout << "\n";
  if (logits) logits->close();
  if (!stats.hit_eog && !out.stopped()) say_if_context_full(stats, m.info.context);
  print_stats(stats);
  if (ex.profiler()) print_profile(a, *ex.profiler());
  if (report) report->write(m, *ex.profiler());
  return 0;
}

}  // namespace lmc::tools

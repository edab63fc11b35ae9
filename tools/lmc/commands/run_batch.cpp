#include "tools/lmc/commands/run_batch.h"

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>
#include <optional>

#include <nlohmann/json.hpp>

#include "runtime/batch_generator.h"
#include "support/error.h"
#include "tools/lmc/chat/chat_session.h"
#include "tools/lmc/flags/chat_template_flag.h"
#include "tools/lmc/flags/constraint_flags.h"
#include "tools/lmc/flags/model_flags.h"
#include "tools/lmc/flags/run_flags.h"
#include "tools/lmc/generation/generated_text.h"
#include "tools/lmc/generation/tokenizer_bounds.h"
#include "tools/lmc/npy/npy_writer.h"
#include "tools/lmc/reports/load_summary.h"

namespace lmc::tools {

namespace {

// The non-empty lines of FILE (- for stdin).
std::vector<std::string> read_prompts(const std::string& file) {
  std::ifstream in;
  if (file != "-") {
    in.open(file, std::ios::binary);
    if (!in) throw Error(file + ": error: cannot read the prompts");
  }
  std::istream& src = file == "-" ? std::cin : in;
  std::vector<std::string> prompts;
  for (std::string line; std::getline(src, line);) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (!line.empty()) prompts.push_back(line);
  }
  if (prompts.empty()) throw Error(file + ": error: no prompts (one per line)");
  return prompts;
}

// One prompt's generation: its text so far and where its logits go.
struct Generation {
  size_t index;
  GeneratedText text_out;
  std::unique_ptr<NpyWriter> logits;
  std::string text;
  int64_t completion_tokens = 0;
};

}  // namespace

int run_batch(const Args& a, const std::string& model) {
  if (a.has("prompt") || a.has("file"))
    throw UsageError("give the prompts with --prompts, or one with --prompt or --file");
  std::vector<std::string> prompts = read_prompts(*a.get("prompts"));
  auto gen = generate_options(a);
  if (gen.draft_max > 0) throw UsageError("--draft-max applies to one prompt, not to --prompts");
  const ConstraintFlags constraint = constraint_flags(a);
  auto exec_opts = executor_options(a);
  exec_opts.sequences = a.get_int("parallel", 4, 1, 256);

  driver::LoadedModel m = open_model(model, a);
  check_parallel(exec_opts.sequences, m.info);
  const models::Tokenizer& tok = *m.tokenizer;
  gen.constraint = constraint_maker(constraint, tok, gen.max_tokens);
  std::optional<models::ChatTemplate> chat;
  if (a.has("chat")) chat.emplace(chat_template(m, a, model));
  std::vector<std::vector<int32_t>> ids;
  for (size_t i = 0; i < prompts.size(); ++i) {
    std::string text = chat ? chat->single_turn(system_message(a), prompts[i], tok.wants_bos()) : prompts[i];
    ids.push_back(tok.encode(text, tok.wants_bos()));
    if (static_cast<int64_t>(ids.back().size()) > m.info.context)
      throw error_at(*a.get("prompts") + ":" + std::to_string(i + 1),
                     "the prompt is " + std::to_string(ids.back().size()) + " tokens, more than the context of " +
                         std::to_string(m.info.context));
  }
  auto logits_dir = a.get("logits-out");
  exec_opts.max_logit_rows = logits_dir ? m.info.step_tokens : exec_opts.sequences;
  if (logits_dir) std::filesystem::create_directories(*logits_dir);
  runtime::Executor ex(*m.graph, m.kernels, *m.weights, m.info, exec_opts);
  print_load_summary(m, ex);
  runtime::BatchGenerator batch(ex);

  int64_t prompt_tokens = 0, generated = 0;
  auto t0 = std::chrono::steady_clock::now();
  size_t next = 0;
  while (next < prompts.size() || batch.active() > 0) {
    for (; next < prompts.size() && batch.has_free_slot(); ++next) {
      auto g = std::make_shared<Generation>(Generation{next, GeneratedText(tok, stop_strings(a)), nullptr, "", 0});
      runtime::BatchJob job{
          ids[next], gen,
          [g](int32_t id) {
            ++g->completion_tokens;
            g->text += g->text_out.push(id);
            return !g->text_out.stopped();
          },
          [g, &prompt_tokens, &generated](const runtime::GenerationStats& st, const std::string& error) {
            if (g->logits) g->logits->close();
            if (!error.empty()) throw Error(error);
            g->text += g->text_out.finish();
            prompt_tokens += st.prompt_tokens;
            generated += g->completion_tokens;
            nlohmann::json line = {{"index", g->index},
                                   {"text", g->text},
                                   {"finish_reason", g->text_out.finish_reason(st.hit_eog)},
                                   {"prompt_tokens", st.prompt_tokens},
                                   {"completion_tokens", g->completion_tokens}};
            std::cout << line.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) << "\n" << std::flush;
          }};
      bound_by_tokenizer(job.opts, tok);
      if (logits_dir) {
        g->logits = std::make_unique<NpyWriter>(
            (std::filesystem::path(*logits_dir) / (std::to_string(next) + ".npy")).string(), ex.vocab());
        job.opts.all_logits = true;
        job.opts.on_logits = [g](int64_t, const float* row) { g->logits->append(row); };
      }
      batch.add(std::move(job));
    }
    batch.step();
  }
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  std::fprintf(stderr,
               "lmc: %zu prompts (%lld tokens), %lld tokens generated in %.2f s: %.1f tok/s in all, "
               "%lld at once\n",
               prompts.size(), static_cast<long long>(prompt_tokens), static_cast<long long>(generated), seconds,
               seconds > 0 ? generated / seconds : 0.0, static_cast<long long>(exec_opts.sequences));
  if (ex.profiler()) print_profile(a, *ex.profiler());
  return 0;
}

}  // namespace lmc::tools

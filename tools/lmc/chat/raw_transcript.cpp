#include "tools/lmc/chat/raw_transcript.h"

#include <unistd.h>

#include <cstdio>
#include <iostream>

#include "models/tokenizer/tokenizer_stream_decoder.h"
#include "runtime/executor.h"
#include "runtime/generator.h"
#include "tools/lmc/chat/line_editor.h"
#include "tools/lmc/flags/model_flags.h"
#include "tools/lmc/flags/run_flags.h"
#include "tools/lmc/generation/tokenizer_bounds.h"
#include "tools/lmc/reports/load_summary.h"

namespace lmc::tools {

namespace {

class Transcript {
 public:
  Transcript(runtime::Executor& ex, const models::Tokenizer& tok, runtime::GenerateOptions gen,
             std::vector<std::string> reverse)
      : ex_(ex), tok_(tok), gen_(std::move(gen)), reverse_(std::move(reverse)) {}

  bool empty() const { return tokens_.empty(); }

  // Adds `text` to the transcript, read with the next continuation. The first text takes the BOS.
  void add(const std::string& text) {
    std::vector<int32_t> ids = tok_.encode(text, tokens_.empty() && tok_.wants_bos());
    tokens_.insert(tokens_.end(), ids.begin(), ids.end());
  }

  // Continues the transcript until a reverse prompt ends it, the end of text or the token
  // budget. False when the context is full: nothing can follow.
  bool continue_text() {
    const int64_t context = ex_.info().context;
    if (static_cast<int64_t>(tokens_.size()) >= context) {
      std::fprintf(stderr, "\nlmc: the transcript has filled the context of %lld positions\n",
                   static_cast<long long>(context));
      return false;
    }
    // At least one token is read: its row gives the next.
    if (in_cache_ == tokens_.size()) --in_cache_;
    runtime::GenerateOptions gen = gen_;
    gen.start_pos = static_cast<int64_t>(in_cache_);
    gen.cached_tokens.assign(tokens_.begin(), tokens_.begin() + static_cast<std::ptrdiff_t>(in_cache_));
    models::StreamDecoder out(tok_);
    std::string said;
    std::vector<int32_t> unread(tokens_.begin() + static_cast<std::ptrdiff_t>(in_cache_), tokens_.end());
    auto stats = runtime::generate(ex_, unread, gen, [&](int32_t id) {
      tokens_.push_back(id);
      const size_t before = said.size();
      said += out.push(id);
      std::cout << said.substr(before) << std::flush;
      return !has_reverse_prompt(said, before);
    });
    std::cout << out.flush() << std::flush;
    in_cache_ = static_cast<size_t>(stats.end_pos);  // the last token shown is read with what follows
    if (!stats.hit_eog && stats.end_pos >= context && !has_reverse_prompt(said, 0)) {
      say_if_context_full(stats, context);
      return false;
    }
    return true;
  }

 private:
  // A reverse prompt in the text from `from` on (or straddling it).
  bool has_reverse_prompt(const std::string& said, size_t from) const {
    for (const std::string& r : reverse_)
      if (said.find(r, from >= r.size() ? from - r.size() + 1 : 0) != std::string::npos) return true;
    return false;
  }

  runtime::Executor& ex_;
  const models::Tokenizer& tok_;
  runtime::GenerateOptions gen_;
  std::vector<std::string> reverse_;
  std::vector<int32_t> tokens_;  // the transcript
  size_t in_cache_ = 0;          // of its tokens, those the KV cache holds
};

}  // namespace

std::vector<FlagSpec> raw_transcript_flag_specs() {
  return {
      {"interactive-first",
       false,
       "llama.cpp's raw transcript (as -i -r), waiting for a line before the model continues",
       "",
       false,
       "",
       {},
       {"if"}},
      {"in-prefix", true, "in the raw transcript: text put before each line read", "TEXT"},
      {"in-suffix", true, "in the raw transcript: text put after each line read (and its newline)", "TEXT"},
  };
}

bool raw_transcript_asked(const Args& a) {
  return a.has("interactive-first") ||
         (a.has("interactive") && (a.has("stop") || a.has("in-prefix") || a.has("in-suffix")));
}

int run_raw_transcript(const Args& a, const std::string& model) {
  runtime::GenerateOptions gen = generate_options(a);
  auto exec_opts = executor_options(a, gen);
  driver::LoadedModel m = open_model(model, a);
  runtime::Executor ex(*m.graph, m.kernels, *m.weights, m.info, exec_opts);
  print_load_summary(m, ex);
  bound_by_tokenizer(gen, *m.tokenizer);
  Transcript transcript(ex, *m.tokenizer, gen, stop_strings(a));
  const std::string prefix = as_llama_reads(a, a.get_or("in-prefix", ""));
  const std::string suffix = as_llama_reads(a, a.get_or("in-suffix", ""));
  std::fprintf(stderr, "lmc: raw transcript: the model continues the text; a line read is added to it%s\n",
               a.has("stop") ? " where a reverse prompt ends it" : "");
  // The user speaks first with -if, or when the prompt ends in a reverse prompt, as llama.cpp.
  bool user_first = a.has("interactive-first");
  if (auto p = a.get("prompt")) {
    const std::string prompt = as_llama_reads(a, *p);
    std::cout << prompt << std::flush;
    transcript.add(prompt);
    for (const std::string& r : stop_strings(a)) user_first = user_first || prompt.ends_with(r);
  }
  LineEditor lines;
  while (true) {
    if (!user_first && !transcript.empty() && !transcript.continue_text()) break;
    user_first = false;
    std::optional<std::string> line = lines.read_message(a.has("multiline-input"));
    if (!line) break;
    // A terminal showed the line as it was typed; from a pipe it is shown here, so that stdout
    // is the whole transcript.
    std::cout << prefix << (isatty(STDIN_FILENO) ? "" : *line + "\n") << suffix << std::flush;
    transcript.add(prefix + *line + "\n" + suffix);
  }
  std::cout << "\n";
  return 0;
}

}  // namespace lmc::tools

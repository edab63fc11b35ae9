// llama.cpp's --prompt-cache FILE for lmc run: once the prompt is read, its KV cache (the
// tokens and their rows, runtime/kv_snapshot.h) is saved to FILE; a later run with the same
// FILE and a prompt sharing a prefix of those tokens starts from their rows and reads only
// the rest, and its text is the text it would have written without the file. With
// --prompt-cache-all the generated tokens are saved too (at the end); with --prompt-cache-ro
// the file is read, never written. A file saved from another model, compile or cache type,
// or damaged, is refused with an error rather than ignored: a user who names a cache expects
// it used, and a silent full prefill would hide that it is not.
#pragma once
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "driver/open_model.h"
#include "runtime/executor.h"
#include "runtime/generator.h"
#include "tools/lmc/flags/cli_args.h"

namespace lmc::tools {

std::vector<FlagSpec> prompt_cache_flag_specs();

class PromptCache {
 public:
  // nullptr without --prompt-cache. Throws UsageError for flags it cannot serve: with
  // --prompts, --interactive or --logits-out, under several ranks, or --prompt-cache-all or
  // --prompt-cache-ro alone.
  static std::unique_ptr<PromptCache> from_flags(const Args& a);

  // Reads FILE, if there is one, into sequence 0 of `ex`'s caches, and points `gen` past the
  // prompt's prefix it holds (start_pos, cached_tokens); returns the prompt's tokens left to
  // read. Says on stderr how many were reused. Throws lmc::Error naming FILE when it cannot be
  // used.
  std::vector<int32_t> start(const driver::LoadedModel& m, runtime::Executor& ex, const std::vector<int32_t>& prompt,
                             runtime::GenerateOptions& gen);
  // Each generated token, after the one before it was fed: the first saves the prompt's
  // cache (unless --prompt-cache-all or -ro).
  void on_token(runtime::Executor& ex, int32_t token);
  // After generation, with --prompt-cache-all: saves the `fed` tokens the cache holds.
  void finish(runtime::Executor& ex, int64_t fed);

 private:
  void save(runtime::Executor& ex, int64_t tokens);

  std::string path_;
  bool all_ = false, read_only_ = false;
  uint64_t identity_ = 0;
  std::vector<int32_t> tokens_;  // the prompt, then what was generated
  int64_t prompt_tokens_ = 0;
  bool saved_ = false;
};

}  // namespace lmc::tools

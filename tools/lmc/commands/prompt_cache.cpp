#include "tools/lmc/commands/prompt_cache.h"

#include <cstdio>
#include <filesystem>

#include "driver/model_identity.h"
#include "runtime/batch_generator.h"
#include "runtime/kv_snapshot.h"
#include "support/error.h"
#include "tools/lmc/process/process_world.h"

namespace lmc::tools {

std::vector<FlagSpec> prompt_cache_flag_specs() {
  return {{"prompt-cache", true,
           "save the prompt's KV cache to FILE once it is read; a later run whose prompt shares a "
           "prefix with it starts from it (a file of another model is an error)",
           "FILE"},
          {"prompt-cache-all", false, "with --prompt-cache: save the generated tokens' cache too, at the end"},
          {"prompt-cache-ro", false, "with --prompt-cache: read FILE, never write it"}};
}

std::unique_ptr<PromptCache> PromptCache::from_flags(const Args& a) {
  if (!a.has("prompt-cache")) {
    if (a.has("prompt-cache-all") || a.has("prompt-cache-ro"))
      throw UsageError("--prompt-cache-all and --prompt-cache-ro apply with --prompt-cache FILE");
    return nullptr;
  }
  if (a.has("prompts") || (a.has("interactive") && !a.has("single-turn")))
    throw UsageError("--prompt-cache applies to one prompt");
  if (a.has("logits-out"))
    throw UsageError("--prompt-cache and --logits-out: the cached rows' logits are not computed again");
  if (process_world() && process_world()->ranks() > 1) throw UsageError("--prompt-cache runs on one rank");
  auto c = std::make_unique<PromptCache>();
  c->path_ = *a.get("prompt-cache");
  c->all_ = a.has("prompt-cache-all");
  c->read_only_ = a.has("prompt-cache-ro");
  return c;
}

std::vector<int32_t> PromptCache::start(const driver::LoadedModel& m, runtime::Executor& ex,
                                        const std::vector<int32_t>& prompt, runtime::GenerateOptions& gen) {
  tokens_ = prompt;
  prompt_tokens_ = static_cast<int64_t>(prompt.size());
  std::error_code ec;
  const bool found = std::filesystem::exists(std::filesystem::symlink_status(path_, ec));
  // The identity reads every weight: only for a file to check or one to write.
  if (found || !read_only_)
    identity_ = runtime::kv_snapshot_identity(driver::model_identity(m), ex.kv_cache().layout());
  if (!found) {
    std::fprintf(stderr, "lmc: prompt cache %s: none yet%s\n", path_.c_str(),
                 read_only_ ? " (--prompt-cache-ro: none is written)" : "; it is saved once the prompt is read");
    return prompt;
  }
  const runtime::KvSnapshotExpect expect{identity_, m.info.context, static_cast<int64_t>(m.tokenizer->size())};
  const std::vector<int32_t> held =
      runtime::read_kv_snapshot(path_, expect, [&](int64_t n) { return ex.kv_cache().sequence_bytes(0, n); }).tokens;
  const int64_t n = runtime::reusable_prefix(held, prompt, ex.rollback_limit());
  std::fprintf(stderr, "lmc: prompt cache %s: %lld of the prompt's %lld tokens reused (the file holds %zu)\n",
               path_.c_str(), static_cast<long long>(n), static_cast<long long>(prompt_tokens_), held.size());
  gen.start_pos = n;
  gen.cached_tokens.assign(prompt.begin(), prompt.begin() + n);
  return {prompt.begin() + n, prompt.end()};
}

void PromptCache::on_token(runtime::Executor& ex, int32_t token) {
  tokens_.push_back(token);
  // The first token: the prompt's rows are all in the cache and no decode step has run.
  if (!saved_ && !all_ && !read_only_) save(ex, prompt_tokens_);
}

void PromptCache::finish(runtime::Executor& ex, int64_t fed) {
  if (!saved_ && !read_only_) save(ex, all_ ? fed : prompt_tokens_);
}

void PromptCache::save(runtime::Executor& ex, int64_t tokens) {
  saved_ = true;
  runtime::write_kv_snapshot(path_, identity_, std::span(tokens_).first(static_cast<size_t>(tokens)),
                             ex.kv_cache().sequence_bytes(0, tokens));
}

}  // namespace lmc::tools

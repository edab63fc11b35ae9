// --draft-model MODEL: speculative decoding with a second, smaller model's guesses
// (runtime/draft_model.h) instead of prompt lookup — any model lmc run accepts, compiled
// with the same options, sharing the model's vocabulary.
#pragma once
#include <memory>

#include "driver/open_model.h"
#include "runtime/draft_model.h"
#include "runtime/generator.h"
#include "tools/lmc/flags/cli_args.h"

namespace lmc::tools {

// The draft model and its executor, alive while generation uses them.
struct DraftingModel {
  driver::LoadedModel model;
  std::unique_ptr<runtime::Executor> ex;
  std::unique_ptr<runtime::DraftModel> draft;
};

// Throws UsageError when --draft-model comes without --draft-max, with --prompts or
// --interactive, or under several ranks: checked before any model is loaded.
void check_draft_model_flags(const Args& a, const runtime::GenerateOptions& gen);

// With --draft-model, opens it and points gen's drafter at it; else nullptr. Throws
// lmc::Error naming the file when its vocabulary differs from `target`'s.
std::unique_ptr<DraftingModel> open_draft_model(const Args& a, const runtime::Executor& target,
                                                runtime::GenerateOptions& gen);

}  // namespace lmc::tools

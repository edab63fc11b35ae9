#include "tools/lmc/flags/draft_model_flag.h"

#include "support/error.h"
#include "tools/lmc/flags/model_flags.h"
#include "tools/lmc/flags/run_flags.h"
#include "tools/lmc/process/process_world.h"

namespace lmc::tools {

void check_draft_model_flags(const Args& a, const runtime::GenerateOptions& gen) {
  if (!a.has("draft-model")) return;
  if (a.has("interactive") || a.has("prompts")) throw UsageError("--draft-model applies to one prompt");
  if (gen.draft_max == 0) throw UsageError("--draft-model needs --draft-max N, the tokens it guesses a step");
  if (process_world() && process_world()->ranks() > 1)
    throw UsageError("--draft-model runs on one rank, not under mpirun");
}

std::unique_ptr<DraftingModel> open_draft_model(const Args& a, const runtime::Executor& target,
                                                runtime::GenerateOptions& gen) {
  auto path = a.get("draft-model");
  if (!path) return nullptr;
  auto d = std::make_unique<DraftingModel>();
  d->model = open_model(*path, a);
  d->ex = std::make_unique<runtime::Executor>(*d->model.graph, d->model.kernels, *d->model.weights, d->model.info,
                                              executor_options(a));
  if (d->ex->vocab() != target.vocab())
    throw error_at(*path, "the draft model's vocabulary has " + std::to_string(d->ex->vocab()) +
                              " tokens, the model's " + std::to_string(target.vocab()));
  d->draft = std::make_unique<runtime::DraftModel>(*d->ex);
  gen.drafter = [draft = d->draft.get()](std::span<const int32_t> history, int64_t n) {
    return draft->draft(history, n);
  };
  return d;
}

}  // namespace lmc::tools

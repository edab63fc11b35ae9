// The embedding side of `lmc serve --embeddings`: the model compiled with the
// embedding-output pass returns its final hidden state (the final norm's rows) instead of
// logits, and a text's embedding pools those rows — their mean, the last row or the first
// (llama-server's --pooling mean, last, cls) — then scales it to unit length, as OpenAI's
// embeddings are. Requests run one at a time on one executor whose step returns every
// row, the prompt fed in chunks of the model's step_tokens (none cutting an image whose
// tokens attend to each other).
#pragma once
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "driver/open_model.h"
#include "runtime/executor.h"
#include "runtime/prompt_embeddings.h"

namespace lmc::tools {

// None: every row, as it is (llama-server's --pooling none: an embedding per token).
enum class Pooling { Mean, Last, Cls, None };

// "mean", "last", "cls" or "none"; nullopt otherwise.
std::optional<Pooling> parse_pooling(const std::string& text);
const char* pooling_name(Pooling p);

struct EmbeddingCounters {
  int64_t requests = 0, prompt_tokens = 0;
  int64_t steps = 0;  // executor steps run
  double busy_seconds = 0;
};

class EmbeddingEngine {
 public:
  // Throws lmc::Error when the model's output is not its hidden state (d_model wide): the
  // model was not compiled with the embedding-output pass.
  EmbeddingEngine(const driver::LoadedModel& m, runtime::ExecutorOptions opts, Pooling pooling);

  // The unit-length embedding of `tokens` (1 to the context's length of them); with
  // Pooling::None each token's row, one after another, as the model computed them. Rows
  // of `images`' spans read their embeddings (an image's soft tokens, as lmc run --image
  // feeds them), and are pooled as the text's; a joint span must fit a step (span_past_step).
  std::vector<float> embed(const std::vector<int32_t>& tokens, const runtime::PromptImages& images = {});
  int64_t dimensions() const { return ex_.vocab(); }
  Pooling pooling() const { return pooling_; }
  EmbeddingCounters counters() const;
  const runtime::Executor& executor() const { return ex_; }

 private:
  const driver::LoadedModel& m_;
  runtime::Executor ex_;
  Pooling pooling_;
  mutable std::mutex mu_;  // one request's steps at a time
  EmbeddingCounters counters_;
};

}  // namespace lmc::tools

#include "driver/first_step_agreement.h"

#include <algorithm>
#include <random>
#include <vector>

#include "driver/agreement_tolerance.h"
#include "ir/dtype.h"
#include "ir/op_traits.h"
#include "runtime/executor.h"
#include "support/error.h"

namespace lmc::driver {

namespace {

// The dtypes a compiled graph reads its weights in, as lmc exec names them.
std::set<ir::DType> weight_dtypes(const ir::Graph& g) {
  std::set<ir::DType> out;
  for (const auto& op : g.ops())
    if (ir::is_role(*op, ir::OpRole::Weight)) out.insert(ir::panel_base(op->result()->type().dtype));
  return out;
}

// A fixed prompt: text through the model's tokenizer when it has one (seeded ids fill what
// it leaves), so both pipelines, and every run, see the same rows.
std::vector<int32_t> prompt(const LoadedModel& m, int64_t vocab, int64_t tokens) {
  std::vector<int32_t> ids;
  std::string text;
  for (int64_t i = 0; m.tokenizer && static_cast<int64_t>(ids.size()) < tokens && i < tokens; ++i) {
    text += "The quick brown fox jumps over the lazy dog, and the compiler fuses what it can. ";
    ids = m.tokenizer->encode(text, m.tokenizer->wants_bos());
  }
  std::mt19937 rng(1234);
  std::uniform_int_distribution<int32_t> tok(0, static_cast<int32_t>(vocab - 1));
  while (static_cast<int64_t>(ids.size()) < tokens) ids.push_back(tok(rng));
  ids.resize(static_cast<size_t>(tokens));
  for (int32_t& id : ids) id = std::min(id, static_cast<int32_t>(vocab - 1));
  return ids;
}

runtime::ExecutorOptions executor_options(int threads, const LoadedModel& m, int64_t rows) {
  runtime::ExecutorOptions eo;
  eo.threads = threads;
  eo.collectives = m.collectives;
  eo.max_logit_rows = rows;
  return eo;
}

HostArray logits(runtime::Executor& ex, const std::vector<int32_t>& ids) {
  const auto rows = static_cast<int64_t>(ids.size());
  const float* l = ex.step(ids.data(), rows, 0, rows);
  HostArray out;
  out.shape = {rows, ex.vocab()};
  out.f32.assign(l, l + rows * ex.vocab());
  return out;
}

}  // namespace

FirstStepAgreement compare_first_step(const LoadedModel& a, const LoadedModel& b, int threads, int64_t tokens,
                                      std::optional<double> tolerance) {
  FirstStepAgreement r;
  r.tokens =
      std::max<int64_t>(1, std::min({tokens, a.info.step_tokens, b.info.step_tokens, a.info.context, b.info.context}));
  r.weights_a = weight_dtypes(*a.graph);
  r.weights_b = weight_dtypes(*b.graph);
  r.tolerance = tolerance.value_or(r.weights_a != r.weights_b ? kRoundedWeightsTolerance : kDefaultTolerance);
  std::vector<int32_t> ids;
  HostArray la, lb;
  {
    runtime::Executor ex(*a.graph, a.kernels, *a.weights, a.info, executor_options(threads, a, r.tokens));
    ids = prompt(a, ex.vocab(), r.tokens);
    la = logits(ex, ids);
  }
  {
    runtime::Executor ex(*b.graph, b.kernels, *b.weights, b.info, executor_options(threads, b, r.tokens));
    if (ex.vocab() != la.shape[1])
      throw Error("the pipelines' models differ in vocabulary: their logits cannot be compared");
    lb = logits(ex, ids);
  }
  r.difference = difference(lb, la);
  r.agree = within(r.difference, r.tolerance);
  return r;
}

}  // namespace lmc::driver

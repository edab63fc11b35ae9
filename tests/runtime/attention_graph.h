// A graph that is nothing but a KV cache and attention, for ring and generation tests:
//   q, k, v = embedding(tq|tk|tv, tokens); kc, vc = kv_write(cache, k|v, positions, seq)
//   logits = tail_rows(attention(q, kc, vc, positions, seq))  -> f32[L, heads * head_dim]
// plus the same attention computed in plain C++ over every position seen.
#pragma once
#include <algorithm>
#include <cmath>

#include "test_graphs.h"

namespace lmc::runtime::testing {

struct AttentionModel {
  static constexpr int64_t kHeads = 2, kKvHeads = 1, kHeadDim = 8, kVocab = kHeads * kHeadDim;
  static constexpr double kScale = 0.35;
  int64_t window, context, step_tokens, cache_rows;
  ir::Graph g;
  RandomWeights w{5};

  // `paged_window`: a window's cache is C rows paged through the window page table, as
  // lowering builds it (runtime/kv_cache.h), instead of a ring of window + step_tokens rows.
  AttentionModel(int64_t window_, int64_t context_, int64_t step_tokens_, bool paged_window = false)
      : window(window_),
        context(context_),
        step_tokens(step_tokens_),
        cache_rows(window_ && !paged_window ? window_ + step_tokens_ : context_) {
    ir::Builder b(g);
    ir::Value* tokens = g.add_arg("tokens", {ir::DType::i32, {T()}});
    ir::Value* pos = g.add_arg("positions", {ir::DType::i32, {T()}});
    ir::Value* seq = g.add_arg("seq", {ir::DType::i32, {T()}});
    const int64_t kv_width = kKvHeads * kHeadDim;
    ir::Value* q = b.op("embedding", {w.param(b, "tq", {kVocab, kHeads * kHeadDim}, 1.0f), tokens}, {}, "q_0");
    ir::Value* k = b.op("embedding", {w.param(b, "tk", {kVocab, kv_width}, 1.0f), tokens}, {}, "k_0");
    ir::Value* v = b.op("embedding", {w.param(b, "tv", {kVocab, kv_width}, 1.0f), tokens}, {}, "v_0");
    ir::Dim rows = window && !paged_window ? n(cache_rows) : ir::Dim::symbolic(ir::Sym::C);
    ir::AttrMap paged;
    if (window && paged_window) paged["window"] = window;
    ir::Value* kc = b.op("kv_write", {g.add_arg("kc_0_in", f32({rows, n(kv_width)})), k, pos, seq}, paged, "kc_0");
    ir::Value* vc = b.op("kv_write", {g.add_arg("vc_0_in", f32({rows, n(kv_width)})), v, pos, seq}, paged, "vc_0");
    ir::AttrMap attrs{{"n_heads", kHeads}, {"n_kv_heads", kKvHeads}, {"head_dim", kHeadDim}, {"scale", kScale}};
    if (window) attrs["window"] = window;
    ir::Value* o = b.op("attention", {q, kc, vc, pos, seq}, attrs, "a_0");
    g.set_outputs({b.op("tail_rows", {o}, {}, "logits"), kc, vc});
  }

  ir::ModelInfo info() const { return model_info(context, step_tokens); }

  // Output row for the token at absolute position p, given every token so far.
  std::vector<float> reference(const std::vector<int32_t>& history, int64_t p) const {
    const auto &tq = w.tensor("tq"), &tk = w.tensor("tk"), &tv = w.tensor("tv");
    const int64_t lo = window ? std::max<int64_t>(0, p - window + 1) : 0;
    std::vector<float> out(kHeads * kHeadDim);
    for (int64_t h = 0; h < kHeads; ++h) {
      const int64_t kvh = h / (kHeads / kKvHeads);
      const float* q = &tq[history[p] * kHeads * kHeadDim + h * kHeadDim];
      std::vector<double> score;
      for (int64_t j = lo; j <= p; ++j) {
        double s = 0;
        for (int64_t d = 0; d < kHeadDim; ++d) s += q[d] * tk[history[j] * kKvHeads * kHeadDim + kvh * kHeadDim + d];
        score.push_back(s * kScale);
      }
      double mx = *std::max_element(score.begin(), score.end()), sum = 0;
      for (double& s : score) sum += s = std::exp(s - mx);
      for (int64_t d = 0; d < kHeadDim; ++d) {
        double acc = 0;
        for (int64_t j = lo; j <= p; ++j)
          acc += score[j - lo] / sum * tv[history[j] * kKvHeads * kHeadDim + kvh * kHeadDim + d];
        out[h * kHeadDim + d] = static_cast<float>(acc);
      }
    }
    return out;
  }
};

}  // namespace lmc::runtime::testing

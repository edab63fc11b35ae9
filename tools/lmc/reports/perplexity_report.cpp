#include "tools/lmc/reports/perplexity_report.h"

#include <cstdio>
#include <iostream>
#include <nlohmann/json.hpp>

namespace lmc::tools {

namespace {

using json = nlohmann::ordered_json;

json estimate(const driver::Estimate& e) { return {{"value", e.value}, {"error", e.error}}; }

json spread(const driver::Spread& s) {
  return {{"min", s.min}, {"p1", s.p1},   {"p5", s.p5},  {"median", s.median},
          {"p95", s.p95}, {"p99", s.p99}, {"max", s.max}};
}

json comparison(const driver::TokenComparison& c, const driver::Perplexity& model) {
  return {{"base_ppl", estimate(c.base().ppl())},
          {"ln_ppl_ratio", estimate(c.ln_ppl_ratio(model))},
          {"kld", estimate(c.kld())},
          {"kld_spread", spread(c.kld_spread())},
          {"same_top", estimate(c.same_top())},
          {"delta_p", estimate(c.delta_p())},
          {"delta_p_rms", c.delta_p_rms()},
          {"delta_p_spread", spread(c.delta_p_spread())}};
}

void print_json(const PerplexityHeader& h, const driver::PerplexityReport& r) {
  json j = {{"model", h.model},
            {"pipeline", h.pipeline},
            {"text", h.text},
            {"text_tokens", h.text_tokens},
            {"context", r.context},
            {"chunks", r.chunks},
            {"scored_tokens", r.model.tokens()},
            {"ppl", estimate(r.model.ppl())}};
  if (r.against_base) {
    j["base_model"] = h.base_model;
    j["base_pipeline"] = h.base_pipeline;
    j["against_base"] = comparison(*r.against_base, r.model);
  }
  std::cout << j.dump(2) << "\n";
}

void print_comparison(const PerplexityHeader& h, const driver::TokenComparison& c, const driver::Perplexity& model) {
  auto b = c.base().ppl();
  auto ln = c.ln_ppl_ratio(model);
  auto kld = c.kld();
  auto ks = c.kld_spread();
  auto top = c.same_top();
  auto dp = c.delta_p();
  auto ds = c.delta_p_spread();
  std::printf("\nagainst the base, %s (pipeline %s):\n", h.base_model.c_str(), h.base_pipeline.c_str());
  std::printf("  base PPL            %.4f +/- %.4f\n", b.value, b.error);
  std::printf("  ln(PPL / base PPL)  %.5f +/- %.5f\n", ln.value, ln.error);
  std::printf("  KL divergence       mean %.6f +/- %.6f, median %.6f, 99%% %.6f, max %.6f (nats)\n", kld.value,
              kld.error, ks.median, ks.p99, ks.max);
  std::printf("  same top token      %.3f +/- %.3f %%\n", 100 * top.value, 100 * top.error);
  std::printf("  delta p (the text's next token)  mean %.4f +/- %.4f %%, rms %.4f %%, 1%% %.4f %%, 99%% %.4f %%\n",
              100 * dp.value, 100 * dp.error, 100 * c.delta_p_rms(), 100 * ds.p1, 100 * ds.p99);
}

}  // namespace

void print_chunk(int64_t chunk, const driver::PerplexityReport& r) {
  std::printf("[%lld]%.4f,", static_cast<long long>(chunk + 1), r.model.ppl().value);
  std::fflush(stdout);
}

void print_perplexity(const PerplexityHeader& h, const driver::PerplexityReport& r, bool json_output) {
  if (json_output) return print_json(h, r);
  auto ppl = r.model.ppl();
  std::printf("\n%s (pipeline %s) on %s: %lld tokens, %lld chunks of %lld, %lld tokens scored\n", h.model.c_str(),
              h.pipeline.c_str(), h.text.c_str(), static_cast<long long>(h.text_tokens),
              static_cast<long long>(r.chunks), static_cast<long long>(r.context),
              static_cast<long long>(r.model.tokens()));
  std::printf("PPL = %.4f +/- %.4f\n", ppl.value, ppl.error);
  if (r.against_base) print_comparison(h, *r.against_base, r.model);
}

}  // namespace lmc::tools

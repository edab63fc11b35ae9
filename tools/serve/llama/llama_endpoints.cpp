#include "tools/serve/llama/llama_endpoints.h"
#include "tools/lmc/llama/build_commit.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>

#include "support/error.h"
#include "tools/serve/request/serve_request.h"

namespace lmc::tools {

using nlohmann::json;

std::string build_fingerprint() { return "b" + std::to_string(build_number()) + "-" + build_commit(); }

json timings(const JobResult& r) {
  const int64_t prompt_n = r.prompt_tokens - r.cached_tokens;
  const double prompt_ms = r.prompt_seconds * 1e3, predicted_ms = r.decode_seconds * 1e3;
  auto per_token = [](double ms, int64_t n) { return n > 0 ? ms / static_cast<double>(n) : 0.0; };
  auto per_second = [](double ms, int64_t n) { return ms > 0 ? static_cast<double>(n) * 1e3 / ms : 0.0; };
  return {{"cache_n", r.cached_tokens},
          {"prompt_n", prompt_n},
          {"prompt_ms", prompt_ms},
          {"prompt_per_token_ms", per_token(prompt_ms, prompt_n)},
          {"prompt_per_second", per_second(prompt_ms, prompt_n)},
          // Every generated token, as usage counts them and llama-server's n_decoded does; the
          // first comes from the prompt's step, so the rates are over the decode steps' tokens, as there.
          {"predicted_n", r.completion_tokens},
          {"predicted_ms", predicted_ms},
          {"predicted_per_token_ms", per_token(predicted_ms, r.decode_tokens)},
          {"predicted_per_second", r.decode_tokens > 0 ? per_second(predicted_ms, r.decode_tokens) : 0.0}};
}

json timings(const PromptProgress& p) {
  JobResult r;
  r.prompt_tokens = p.cached + p.read;
  r.cached_tokens = p.cached;
  r.prompt_seconds = p.seconds;
  return timings(r);
}

json timings(const TextProgress& p) {
  JobResult r;
  r.prompt_tokens = p.evaluated;
  r.cached_tokens = p.cached;
  r.prompt_seconds = p.prompt_seconds;
  r.completion_tokens = p.predicted;
  r.decode_tokens = std::max<int64_t>(0, p.predicted - 1);
  r.decode_seconds = p.decode_seconds;
  return timings(r);
}

json prompt_progress(const PromptProgress& p) {
  return {{"total", p.total}, {"cache", p.cached}, {"processed", p.cached + p.read}, {"time_ms", p.seconds * 1e3}};
}

namespace {

// A special token's text, "" when the model has none (llama-server's /props).
std::string token_text(const models::Tokenizer& tok, int32_t id) { return id < 0 ? "" : tok.token_text(id); }

// A float setting as it was typed (0.05, not 0.0500000007): six significant digits.
double shown(float v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.6g", static_cast<double>(v));
  return std::strtod(buf, nullptr);
}

json stage_names(const std::vector<runtime::SamplerStage>& order) {
  json names = json::array();
  for (runtime::SamplerStage stage : order) names.push_back(std::string(runtime::sampler_stage_name(stage)));
  return names;
}

}  // namespace

namespace {

// llama-server's [{"token", "bias"}], a ban's -inf as null.
json logit_bias_json(const std::vector<std::pair<int32_t, float>>& biases) {
  json out = json::array();
  for (const auto& [token, bias] : biases)
    out.push_back({{"token", token}, {"bias", std::isinf(bias) ? json() : json(bias)}});
  return out;
}

}  // namespace

json generation_params(const runtime::GenerateOptions& g, const std::vector<std::string>& stop) {
  const runtime::SamplerOptions& s = g.sampling;
  return {{"n_predict", g.max_tokens},
          {"temperature", shown(s.temperature)},
          {"dynatemp_range", shown(s.dynatemp_range)},
          {"dynatemp_exponent", shown(s.dynatemp_exponent)},
          {"top_k", s.top_k},
          {"top_p", shown(s.top_p)},
          {"min_p", shown(s.min_p)},
          {"typical_p", shown(s.typical_p)},
          {"repeat_penalty", shown(s.repetition_penalty)},
          {"repeat_last_n", s.repetition_window},
          {"presence_penalty", shown(s.presence_penalty)},
          {"frequency_penalty", shown(s.frequency_penalty)},
          {"dry_multiplier", shown(s.dry.multiplier)},
          {"dry_base", shown(s.dry.base)},
          {"dry_allowed_length", s.dry.allowed_length},
          {"dry_penalty_last_n", s.dry.penalty_last_n},
          {"dry_sequence_breakers", s.dry.sequence_breakers},
          {"xtc_probability", shown(s.xtc_probability)},
          {"xtc_threshold", shown(s.xtc_threshold)},
          {"min_keep", s.min_keep},
          {"top_n_sigma", shown(s.top_n_sigma)},
          {"mirostat", s.mirostat.version},
          {"mirostat_tau", shown(s.mirostat.tau)},
          {"mirostat_eta", shown(s.mirostat.eta)},
          {"samplers", stage_names(s.samplers)},
          {"seed", s.seed},
          {"stop", stop},
          {"logit_bias", logit_bias_json(s.logit_bias)}};
}

json queue_json(const EngineCounters& c) {
  return {{"waiting", c.queued},
          {"limit", c.queue_limit},
          {"timeout_seconds", c.queue_timeout_seconds},
          {"oldest_wait_seconds", c.oldest_wait_seconds}};
}

namespace {

// What a request that says nothing generates with: the server's flags.
runtime::GenerateOptions server_defaults(const ServeOptions& o) {
  runtime::GenerateOptions defaults;
  defaults.sampling = o.sampling;
  defaults.max_tokens = o.n_predict > 0 ? o.n_predict : -1;
  return defaults;
}

}  // namespace

json props(const driver::LoadedModel& m, const ServeOptions& o, const std::string& served_name,
           const std::vector<SlotState>& slots, const models::ChatTemplate* chat, const ToolCallFormat& tool_format,
           const json& template_caps, const EngineCounters& queue) {
  const runtime::GenerateOptions defaults = server_defaults(o);
  json settings = {{"n_ctx", m.info.context}, {"params", generation_params(defaults, {})}};
  if (o.seed)
    settings["params"]["seed"] = *o.seed;
  else
    settings["params"]["seed"] = -1;  // a random seed each request
  settings["params"]["reasoning_format"] = std::string(reasoning_format_name(o.reasoning_format));
  return {{"default_generation_settings", settings},
          {"total_slots", slots.size()},
          {"model_alias", served_name},
          {"model_path", m.info.weights},
          {"chat_template", chat && chat->own_template() ? json(chat->source()) : json()},
          {"chat_format", m.info.chat.family.empty() ? json() : json(m.info.chat.family)},
          {"tool_call_format", chat ? json(tool_format.family) : json()},  // lmc's own
          {"chat_template_caps", template_caps},
          {"bos_token", token_text(*m.tokenizer, m.tokenizer->bos())},
          {"eos_token", token_text(*m.tokenizer, m.tokenizer->eos())},
          {"model_ftype", o.file ? json(o.file->ftype) : json()},
          {"modalities", {{"vision", o.vision}, {"audio", false}}},
          {"endpoint_slots", o.slots_endpoint},
          {"endpoint_props", true},  // lmc answers /props always
          {"endpoint_metrics", o.metrics_endpoint},
          {"ui", o.webui},
          {"cors_proxy_enabled", o.cors_proxy},
          {"queue", queue_json(queue)},
          {"build_info", build_fingerprint() + " (lmc " + LMC_VERSION + ")"}};
}

json models_meta(const driver::LoadedModel& m, const ServeOptions& o) {
  const bool sentencepiece = m.tokenizer->settings().kind == models::TokenizerSettings::SentencePiece;
  return {{"vocab_type", sentencepiece ? 1 : 2},
          {"n_vocab", m.tokenizer->size()},
          {"n_ctx", m.info.context},
          {"n_ctx_train", o.file && o.file->n_ctx_train ? o.file->n_ctx_train : m.info.context},
          {"n_embd", m.info.d_model},
          {"n_params", o.file ? json(o.file->params) : json()},
          {"size", o.file ? o.file->size : static_cast<int64_t>(m.weight_bytes)},
          {"ftype", o.file ? json(o.file->ftype) : json()}};
}

json models_list(const json& model, const std::string& name, bool vision) {
  // llama-server fills what it does not know with empty strings; so does lmc.
  json details = {{"parent_model", ""},   {"format", "gguf"},        {"family", ""}, {"families", json::array({""})},
                  {"parameter_size", ""}, {"quantization_level", ""}};
  json entry = {{"name", name},
                {"model", name},
                {"modified_at", ""},
                {"size", ""},
                {"digest", ""},
                {"type", "model"},
                {"description", ""},
                {"tags", json::array({""})},
                {"capabilities", vision ? json::array({"completion", "multimodal"}) : json::array({"completion"})},
                {"parameters", ""},
                {"details", details}};
  return {{"models", json::array({entry})}, {"object", "list"}, {"data", json::array({model})}};
}

json slots_json(const std::vector<SlotState>& slots, int64_t context) {
  json out = json::array();
  for (const SlotState& s : slots) {
    json slot = {{"id", s.id}, {"n_ctx", context}, {"speculative", false}, {"is_processing", s.is_processing}};
    // lmc's: the KV pages the slot holds and how many of them it shares (-kvu's pool).
    slot["n_kv_pages"] = s.kv_pages;
    slot["n_kv_pages_shared"] = s.kv_pages_shared;
    // What runs, as llama-server shows a slot's task, else the last task that ran there; a slot
    // that never ran one shows none.
    if (s.has_job) {
      const runtime::GenerateOptions& g = s.generation;
      // An idle slot's finished task leaks no budget: llama-server shows -1 left and none decoded.
      const int64_t remaining = s.is_processing ? std::max<int64_t>(0, g.max_tokens - s.decoded_tokens) : -1;
      const int64_t decoded = s.is_processing ? s.decoded_tokens : 0;
      slot["id_task"] = -1;
      slot["params"] = generation_params(g, {});
      slot["n_prompt_tokens"] = s.prompt_tokens;
      slot["n_prompt_tokens_cache"] = s.cached_tokens;  // not read: the slot's cache or shared pages
      slot["next_token"] = json::array({{{"has_next_token", s.is_processing},
                                         {"has_new_line", false},
                                         {"n_remain", remaining},
                                         {"n_decoded", decoded},
                                         {"stopping_word", ""}}});
    }
    out.push_back(slot);
  }
  return out;
}

json completion_piece(const std::string& text, int64_t slot, const TextProgress& progress) {
  return {{"index", 0},
          {"content", text},
          {"tokens", progress.tokens},
          {"stop", false},
          {"id_slot", slot},
          {"tokens_predicted", progress.predicted},
          {"tokens_evaluated", progress.evaluated}};
}

namespace {

const char* stop_type(const JobResult& r) {
  if (r.finish_reason == "length") return "limit";
  if (r.finish_reason == "stop") return r.stopping_word.empty() ? "eos" : "word";
  return "none";
}

}  // namespace

json completion_answer(const std::string& text, const std::string& prompt, const JobResult& r, const std::string& model,
                       const json& settings) {
  return {{"index", 0},
          {"content", text},
          {"tokens", json::array()},
          {"id_slot", r.slot},
          {"stop", true},
          {"model", model},
          {"tokens_predicted", r.completion_tokens},
          {"tokens_evaluated", r.prompt_tokens},
          {"tokens_cached", r.held_tokens},
          {"generation_settings", settings},
          {"prompt", prompt},
          {"truncated", false},
          {"has_new_line", text.find('\n') != std::string::npos},
          {"stop_type", stop_type(r)},
          {"stopping_word", r.stopping_word},
          {"timings", timings(r)}};
}

}  // namespace lmc::tools

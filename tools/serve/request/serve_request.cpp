#include "tools/serve/request/serve_request.h"

#include <algorithm>
#include <cstdint>
#include <set>

#include <nlohmann/json.hpp>

#include "tools/serve/fields/grammar_field.h"
#include "tools/serve/fields/logit_bias_field.h"
#include "tools/serve/fields/request_fields.h"
#include "tools/serve/fields/response_format.h"
#include "tools/serve/fields/sampler_fields.h"
#include "tools/serve/request/image_parts.h"
#include "tools/serve/request/template_fields.h"

namespace lmc::tools {

namespace {

using nlohmann::json;

// OpenAI's content parts: [{"type": "text", "text": "..."}, ...], and image parts
// (image_parts.h), each a media marker among the texts and an image in `images`.
std::vector<std::string> text_parts(const json& v, const std::string& param, std::vector<RequestImage>& images) {
  std::vector<std::string> out;
  for (size_t i = 0; i < v.size(); ++i) {
    const json& part = v[i];
    if (is_image_part(part)) {
      images.push_back(image_of_part(part, param + "[" + std::to_string(i) + "]"));
      out.emplace_back(kImageMarker);
      continue;
    }
    if (!part.is_object() || part.value("type", "") != "text" || !part.contains("text") || !part["text"].is_string())
      invalid_field(
          param,
          "'" + param + "' parts must be {\"type\": \"text\", \"text\": \"...\"} or {\"type\": \"image_url\", ...}");
    out.push_back(part["text"].get<std::string>());
  }
  return out;
}

// An assistant's message may hold tool calls instead of text; a tool's answers one.
ChatMessage message(const json& m, const std::string& at) {
  if (!m.is_object()) invalid_field(at, "'" + at + "' must be an object");
  const json* role = given_field(m, "role");
  if (!role || !role->is_string()) invalid_field(at + ".role", "'" + at + ".role' must be a string");
  ChatMessage out;
  out.role = role->get<std::string>();
  if (out.role == "developer") out.role = "system";  // OpenAI's newer name for it
  if (out.role != "system" && out.role != "user" && out.role != "assistant" && out.role != "tool")
    invalid_field(at + ".role", "'" + at + ".role' must be system, user, assistant or tool");
  if (const json* calls = given_field(m, "tool_calls")) {
    if (out.role != "assistant") invalid_field(at + ".tool_calls", "'" + at + ".tool_calls' is an assistant's");
    out.tool_calls = template_tool_calls(nlohmann::ordered_json::parse(calls->dump()), at + ".tool_calls");
  }
  if (out.role == "tool") {
    const json* id = given_field(m, "tool_call_id");
    if (!id || !id->is_string()) invalid_field(at + ".tool_call_id", "'" + at + ".tool_call_id' must be a string");
    out.tool_call_id = id->get<std::string>();
  }
  if (const json* reasoning = given_field(m, "reasoning_content"); reasoning && !reasoning->is_null()) {
    if (!reasoning->is_string() || out.role != "assistant")
      invalid_field(at + ".reasoning_content", "'" + at + ".reasoning_content' is an assistant's string");
    out.reasoning_content = reasoning->get<std::string>();
  }
  const json* content = given_field(m, "content");
  if (!content && out.tool_calls.is_null()) invalid_field(at + ".content", "'" + at + ".content' is required");
  if (content && content->is_array()) {
    out.text_parts = text_parts(*content, at + ".content", out.images);
    for (const std::string& t : out.text_parts) out.content += t;
  } else if (content && content->is_string()) {
    out.content = content->get<std::string>();
  } else if (content) {
    invalid_field(at + ".content", "'" + at + ".content' must be a string");
  }
  return out;
}

std::vector<ChatMessage> messages(const json& body) {
  const json* v = given_field(body, "messages");
  if (!v || !v->is_array() || v->empty()) invalid_field("messages", "'messages' must be a non-empty array");
  std::vector<ChatMessage> out;
  for (size_t i = 0; i < v->size(); ++i) out.push_back(message((*v)[i], "messages[" + std::to_string(i) + "]"));
  return out;
}

std::vector<std::string> stops(const json& body) {
  const json* v = given_field(body, "stop");
  if (!v) return {};
  if (v->is_string()) return {v->get<std::string>()};
  if (!v->is_array() || v->size() > 4) invalid_field("stop", "'stop' must be a string or an array of up to 4 strings");
  std::vector<std::string> out;
  for (const json& s : *v) {
    if (!s.is_string() || s.get<std::string>().empty())
      invalid_field("stop", "'stop' strings must be non-empty strings");
    out.push_back(s.get<std::string>());
  }
  return out;
}

// A string, an array of one string, or an array of token ids (OpenAI's forms for one prompt);
// or llama-server's prompt object, {"prompt_string": ..., "multimodal_data": [...]}, alone or
// in an array of one.
void prompt(const json& body, int64_t vocab, ServeRequest& r) {
  const json* v = given_field(body, "prompt");
  if (!v) invalid_field("prompt", "'prompt' is required");
  if (v->is_object() || (v->is_array() && v->size() == 1 && (*v)[0].is_object())) {
    r.prompts = parse_llama_prompts(*v, vocab);
    return;
  }
  if (v->is_array() && !v->empty() && (*v)[0].is_number()) {
    for (const json& id : *v) r.prompt_tokens.push_back(token_id(id, vocab, "prompt"));
    return;
  }
  if (v->is_array() && v->size() == 1 && (*v)[0].is_string()) v = &(*v)[0];
  if (!v->is_string())
    invalid_field("prompt",
                  "'prompt' must be a string, an array of one string, an array of token ids or an object with "
                  "\"prompt_string\" (one prompt a request)");
  if (v->get<std::string>().empty()) invalid_field("prompt", "'prompt' is empty");
  r.prompt = v->get<std::string>();
}

bool flag(const json& body, const char* name) {
  const json* v = given_field(body, name);
  if (v && !v->is_boolean()) invalid_field(name, std::string("'") + name + "' must be true or false");
  return v && v->get<bool>();
}

// The fields a request may carry that lmc does not act on, at the values that ask for
// nothing it lacks; anything else names the field.
void refuse_what_is_not_honoured(const json& body, bool chat) {
  auto at_most_one = [&](const char* name) {
    if (const json* v = given_field(body, name); v && !(v->is_number_integer() && v->get<int64_t>() == 1))
      invalid_field(name, std::string("'") + name + "': one choice a request is supported (send several requests)");
  };
  if (!chat) at_most_one("best_of");
  if (!chat && flag(body, "echo")) invalid_field("echo", "'echo' is not supported");
  if (!chat && given_field(body, "suffix")) invalid_field("suffix", "'suffix' is not supported");
}

void only_fields(const json& body, const std::set<std::string>& names) {
  for (const auto& [key, value] : body.items())
    if (!names.count(key)) invalid_field(key, "unrecognized request argument '" + key + "'");
}

std::vector<std::string> unknown_fields(const json& body, const std::set<std::string>& names) {
  std::vector<std::string> out;
  for (const auto& [key, value] : body.items())
    if (!names.count(key) && !sampler_field_names().count(key)) out.push_back(key);
  return out;
}

std::vector<std::string> unknown_fields(const json& body, bool chat) {
  static const std::set<std::string> kCommon = {
      "model", "max_tokens", "temperature", "top_p", "seed", "stop", "stream", "stream_options", "logit_bias", "n",
      "frequency_penalty", "presence_penalty", "logprobs", "user", "top_logprobs",
      // llama-server's extensions lmc honours
      "top_k", "min_p", "typical_p", "repeat_penalty", "repeat_last_n", "cache_prompt", "ignore_eos", "n_probs",
      // the KV-cache slot to run in (llama-server's), and its debugging echo of the prompt
      "id_slot", "verbose", "return_progress", "timings_per_token", "post_sampling_probs",
      // structured output, on completions too (as llama-server)
      "response_format", "json_schema", "grammar"};
  static const std::set<std::string> kChat = {
      "messages", "max_completion_tokens", "tools", "tool_choice", "functions", "function_call", "parallel_tool_calls",
      "metadata", "store", "service_tier",
      // llama-server's extensions for the template and the reasoning (template_fields.h)
      "add_generation_prompt", "continue_final_message", "chat_template_kwargs", "reasoning_format",
      "reasoning_effort"};
  static const std::set<std::string> kCompletion = {"prompt", "best_of", "echo", "suffix"};
  std::set<std::string> names = kCommon;
  for (const auto& n : chat ? kChat : kCompletion) names.insert(n);
  return unknown_fields(body, names);
}

// The sampling fields, each the server's default where absent (llama-server's ranges).
// A field in (0, hi]: `number`'s range, its lower bound left out.
double above_zero(const json& body, const char* name, double dflt, double hi) {
  const double v = number(body, name, dflt, 0, hi);
  if (given_field(body, name) && v == 0) invalid_field(name, std::string("'") + name + "' must be above 0");
  return v;
}

runtime::SamplerOptions sampling(const json& body, runtime::SamplerOptions s) {
  // llama-server's: any temperature, greedy at or below 0; a top_k at or below 0 is no limit.
  s.temperature = std::max(0.0f, static_cast<float>(number(body, "temperature", s.temperature, -1e9, 1e9)));
  s.top_p = static_cast<float>(above_zero(body, "top_p", s.top_p, 1));
  s.top_k = std::max<int64_t>(0, integer(body, "top_k", INT64_MIN, int64_t{1} << 30).value_or(s.top_k));
  s.min_p = static_cast<float>(number(body, "min_p", s.min_p, 0, 1));
  s.typical_p = static_cast<float>(above_zero(body, "typical_p", s.typical_p, 1));
  s.presence_penalty = static_cast<float>(number(body, "presence_penalty", s.presence_penalty, -2, 2));
  s.frequency_penalty = static_cast<float>(number(body, "frequency_penalty", s.frequency_penalty, -2, 2));
  s.repetition_penalty = static_cast<float>(above_zero(body, "repeat_penalty", s.repetition_penalty, 100));
  s.repetition_window = integer(body, "repeat_last_n", -1, int64_t{1} << 30).value_or(s.repetition_window);
  read_sampler_fields(body, s);
  return s;
}

// Chat: "logprobs": true with "top_logprobs" alternatives (0 to 20); completions:
// "logprobs": the number of alternatives (0 to 20).
std::optional<int64_t> top_logprobs(const json& body, bool chat) {
  // llama-server's n_probs: each token's probability with that many alternatives, on every
  // endpoint (here in the endpoint's own logprobs shape).
  const auto n_probs = integer(body, "n_probs", 0, 20);
  if (n_probs && (given_field(body, "logprobs") || given_field(body, "top_logprobs")))
    invalid_field("n_probs", "'n_probs' is llama-server's 'logprobs': give one of them");
  if (n_probs) return *n_probs > 0 ? n_probs : std::nullopt;
  if (!chat) return integer(body, "logprobs", 0, 20);
  const bool on = flag(body, "logprobs");
  auto top = integer(body, "top_logprobs", 0, 20);
  if (top && !on) invalid_field("top_logprobs", "'top_logprobs' needs \"logprobs\": true");
  return on ? std::optional<int64_t>(top.value_or(0)) : std::nullopt;
}

bool include_usage(const json& body) {
  const json* v = given_field(body, "stream_options");
  if (!v) return false;
  if (!v->is_object()) invalid_field("stream_options", "'stream_options' must be an object");
  for (const auto& [key, value] : v->items())
    if (key != "include_usage") invalid_field("stream_options", "'stream_options." + key + "' is not supported");
  const json* u = given_field(*v, "include_usage");
  if (u && !u->is_boolean()) invalid_field("stream_options", "'stream_options.include_usage' must be true or false");
  return u && u->get<bool>();
}

// The request's seed, if it gives one; llama-server's -1 asks for a random one.
void seed(const json& body, ServeRequest& r, bool minus_one_is_random) {
  auto s = integer(body, "seed", INT64_MIN, INT64_MAX);
  if (!s || (minus_one_is_random && *s == -1)) return;
  r.sampling.seed = static_cast<uint64_t>(*s);
  r.seeded = true;
}

// The grammar a JSON answer keeps to (from `field`), after generation_flags: the answer ends
// where its JSON does, so ignore_eos, which would have it go on, is refused.
void json_answer(ServeRequest& r, const std::string& field, std::shared_ptr<const structured::Grammar> grammar) {
  r.response_format = std::move(grammar);
  if (r.response_format && r.ignore_eos)
    invalid_field("ignore_eos",
                  "'ignore_eos' cannot be combined with a JSON '" + field + "': the answer ends where its JSON does");
}

// llama-server's `json_schema`: the schema the answer keeps to, as response_format's would.
void json_schema_field(const json& body, std::string_view text, ServeRequest& r) {
  if (!given_field(body, "json_schema")) return;
  if (r.response_format)
    invalid_field("json_schema", "'json_schema' and 'response_format' both say what the answer is: give one");
  nlohmann::ordered_json schema = nlohmann::ordered_json::parse(text)["json_schema"];
  json_answer(r, "json_schema",
              parse_response_format({{"type", "json_schema"}, {"json_schema", {{"schema", schema}}}}));
}

// tools, tool_choice and parallel_tool_calls, after json_answer: a forced call is the
// answer's JSON, so it takes the place of response_format; with `auto`, an answer that
// begins a call is completed under the same schema (unless response_format or ignore_eos
// asks otherwise of the answer).
void tool_options(ServeRequest& r, const nlohmann::ordered_json& body, const ToolCallFormat& format) {
  r.tools = parse_tools(body, format);
  if (r.tools.any() && r.tools.choice == "auto" && !r.response_format && !r.ignore_eos) {
    r.response_format = tool_call_grammar(r.tools);
    r.response_trigger = tool_call_trigger(r.tools);
  }
  if (!r.tools.forced()) return;
  if (r.response_format)
    invalid_field("response_format", "'response_format' cannot be combined with a 'tool_choice' that requires a call");
  json_answer(r, "tool_choice", tool_call_grammar(r.tools));
  r.response_trigger = tool_call_trigger(r.tools);
}

// The request's `grammar`, after generation_flags: the answer ends where its grammar
// does, so ignore_eos, which would have it go on, is refused.
void grammar_answer(const json& body, ServeRequest& r, std::initializer_list<const char*> others) {
  r.grammar = parse_grammar_field(body, others);
  if (r.grammar && r.ignore_eos)
    invalid_field("ignore_eos", "'ignore_eos' cannot be combined with a 'grammar': the answer ends where it does");
}

// What both APIs read alike: stop strings, stream, ignore_eos, cache_prompt and id_slot.
void generation_flags(const json& body, ServeRequest& r) {
  r.stop = stops(body);
  r.stream = flag(body, "stream");
  r.ignore_eos = flag(body, "ignore_eos");
  if (given_field(body, "cache_prompt")) r.cache_prompt = flag(body, "cache_prompt");
  if (auto slot = integer(body, "id_slot", -1, INT64_MAX)) r.slot = *slot;
  r.verbose = flag(body, "verbose");
  r.return_progress = flag(body, "return_progress");
  r.timings_per_token = flag(body, "timings_per_token");
  r.post_sampling_probs = flag(body, "post_sampling_probs");
}

}  // namespace

TokenizeRequest parse_tokenize(std::string_view text) {
  json body = request_object(text);
  only_fields(body, {"content", "add_special", "with_pieces"});
  const json* content = given_field(body, "content");
  if (!content || !content->is_string()) invalid_field("content", "'content' must be a string");
  return {content->get<std::string>(), flag(body, "add_special"), flag(body, "with_pieces")};
}

std::vector<int32_t> parse_detokenize(std::string_view text, int64_t vocab) {
  json body = request_object(text);
  only_fields(body, {"tokens"});
  const json* tokens = given_field(body, "tokens");
  if (!tokens || !tokens->is_array()) invalid_field("tokens", "'tokens' must be an array of token ids");
  std::vector<int32_t> out;
  for (const json& id : *tokens) out.push_back(token_id(id, vocab, "tokens"));
  return out;
}

namespace {

// One input: a /completion prompt's forms, or OpenAI's {"content": [parts]}, whose texts are
// joined as they are, as llama-server reads them.
EmbeddingInput embedding_input(const json& v, int64_t vocab, const std::string& param) {
  EmbeddingInput in;
  if (v.is_string()) {  // even "": the model's BOS alone, as llama-server embeds it
    in.prompt.pieces.push_back({v.get<std::string>()});
    return in;
  }
  if (!v.is_object() || !v.contains("content")) {
    in.prompt = parse_llama_prompt(v, vocab, param);
    return in;
  }
  const json& parts = v["content"];
  if (!parts.is_array() || parts.empty())
    invalid_field(param, "'" + param + ".content' must be a non-empty array of content parts");
  std::string text;
  for (const std::string& t : text_parts(parts, param + ".content", in.images)) text += t;
  in.prompt.pieces.push_back({text});
  in.images_at = param + ".content";
  return in;
}

}  // namespace

EmbeddingRequest parse_embeddings(std::string_view text, int64_t vocab, int64_t dimensions) {
  json body = request_object(text);
  only_fields(body, {"input", "content", "model", "encoding_format", "dimensions", "user"});
  const char* name = given_field(body, "input") ? "input" : "content";
  const json* v = given_field(body, name);
  if (!v) invalid_field("input", "'input' is required");
  EmbeddingRequest r;
  const bool list = is_prompt_list(*v);
  if (list && v->empty()) invalid_field(name, std::string("'") + name + "' is an empty list");
  if (!list) r.inputs.push_back(embedding_input(*v, vocab, name));
  for (size_t i = 0; list && i < v->size(); ++i)
    r.inputs.push_back(embedding_input((*v)[i], vocab, std::string(name) + "[" + std::to_string(i) + "]"));
  if (const json* f = given_field(body, "encoding_format")) {
    if (!f->is_string() || (*f != "float" && *f != "base64"))
      invalid_field("encoding_format", "'encoding_format' must be \"float\" or \"base64\"");
    r.base64 = *f == "base64";
  }
  if (const json* d = given_field(body, "dimensions");
      d && !(d->is_number_integer() && d->get<int64_t>() == dimensions))
    invalid_field("dimensions", "'dimensions' must be the model's own, " + std::to_string(dimensions));
  const json* model = given_field(body, "model");
  if (model && !model->is_string()) invalid_field("model", "'model' must be a string");
  return r;
}

ServeRequest parse_request(std::string_view text, bool chat, int64_t max_tokens_limit, int64_t vocab,
                           const runtime::SamplerOptions& defaults, const ToolCallFormat& tool_format) {
  json body = request_object(text);
  refuse_what_is_not_honoured(body, chat);
  ServeRequest r;
  r.ignored_fields = unknown_fields(body, chat);
  r.chat = chat;
  if (chat) {
    r.messages = messages(body);
    template_fields(nlohmann::ordered_json::parse(text), r);
  } else {
    prompt(body, vocab, r);
  }
  if (const json* m = given_field(body, "model")) {
    if (!m->is_string()) invalid_field("model", "'model' must be a string");
    r.model = m->get<std::string>();
  }
  r.max_tokens =
      integer(body, chat && given_field(body, "max_completion_tokens") ? "max_completion_tokens" : "max_tokens", 1,
              max_tokens_limit);
  r.sampling = sampling(body, defaults);
  seed(body, r, false);
  r.sampling.logit_bias = logit_bias_field(body, vocab, false).ids;
  r.top_logprobs = top_logprobs(body, chat);
  generation_flags(body, r);
  r.include_usage = include_usage(body);
  if (r.include_usage && !r.stream) invalid_field("stream_options", "'stream_options' needs \"stream\": true");
  if (auto n = integer(body, "n", 1, kMaxChoices)) r.choices = *n;
  if (r.choices > 1 && r.stream)
    invalid_field("n", "'n' > 1 is not supported with \"stream\": true (stream one choice a request)");
  if (given_field(body, "response_format")) {
    // Parsed again keeping the order of keys: a schema's properties are answered in order.
    json_answer(r, "response_format", parse_response_format(nlohmann::ordered_json::parse(text)["response_format"]));
  }
  json_schema_field(body, text, r);
  grammar_answer(body, r, {"response_format", "json_schema", "tools", "functions"});
  if (chat) tool_options(r, nlohmann::ordered_json::parse(text), tool_format);
  return r;
}

ServeRequest parse_llama_completion(std::string_view text, int64_t max_tokens_limit, int64_t vocab,
                                    const runtime::SamplerOptions& defaults) {
  json body = request_object(text);
  std::set<std::string> fields = {"prompt",
                                  "n_predict",
                                  "max_tokens",
                                  "temperature",
                                  "top_k",
                                  "top_p",
                                  "min_p",
                                  "typical_p",
                                  "repeat_penalty",
                                  "repeat_last_n",
                                  "presence_penalty",
                                  "frequency_penalty",
                                  "seed",
                                  "stop",
                                  "stream",
                                  "cache_prompt",
                                  "ignore_eos",
                                  "logit_bias",
                                  "json_schema",
                                  "grammar",
                                  "n_keep",
                                  "n_probs",
                                  "id_slot",
                                  "return_tokens",
                                  "post_sampling_probs",
                                  "verbose",
                                  "return_progress",
                                  "timings_per_token"};
  integer(body, "n_keep", -1, INT64_MAX);
  ServeRequest r;
  r.ignored_fields = unknown_fields(body, fields);
  const json* prompt = given_field(body, "prompt");
  if (!prompt) invalid_field("prompt", "'prompt' is required");
  r.prompts = parse_llama_prompts(*prompt, vocab);
  r.return_tokens = flag(body, "return_tokens");
  const char* limit = given_field(body, "n_predict") ? "n_predict" : "max_tokens";
  if (auto n = integer(body, limit, -1, max_tokens_limit); n && *n != -1) {
    if (*n == 0) invalid_field(limit, std::string("'") + limit + "' must be -1 (to the end) or positive");
    r.max_tokens = n;
  }
  r.sampling = sampling(body, defaults);
  seed(body, r, true);
  LogitBias bias = logit_bias_field(body, vocab, true);
  r.sampling.logit_bias = bias.ids;
  r.logit_bias_texts = bias.texts;
  if (auto n = integer(body, "n_probs", 0, 20); n && *n > 0) r.top_logprobs = n;
  generation_flags(body, r);
  if (r.prompts.size() > 1 && r.stream)
    invalid_field("stream", "several prompts are answered whole: stream one prompt a request");
  grammar_answer(body, r, {"json_schema"});
  json_schema_field(body, text, r);
  return r;
}

}  // namespace lmc::tools

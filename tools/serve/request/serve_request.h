// An OpenAI API request to `lmc serve` (POST /v1/completions, /v1/chat/completions), read
// from its JSON body and checked: each field the server honours must have the right type
// and range, else an ApiError names the field (HTTP 400). A sampling field it leaves out
// takes the server's default (lmc serve's flags: llama-server's values unless set). A field
// it does not honour is accepted only at the value that asks for nothing (n 1); any other
// value is a 400 naming it. A field neither OpenAI's API nor llama-server's extensions lmc
// honours have is left out and named in ignored_fields, as llama-server ignores it: the
// server says so in its log, or answers 400 with --strict-fields (as OpenAI does).
#pragma once
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "runtime/sampler.h"
#include "structured/gbnf_grammar.h"
#include "structured/json_grammar.h"
#include "structured/json_trigger.h"
#include "tools/serve/engine/reasoning_format.h"
#include "tools/serve/engine/request_image.h"
#include "tools/serve/fields/api_error.h"
#include "tools/serve/fields/llama_prompts.h"
#include "tools/serve/tool_calls/tool_calls.h"

namespace lmc::tools {

// The most tokens a request may ask for, as llama-server reads n_predict (an int32):
// generation ends at the context's end anyway, so a larger count is no error.
constexpr int64_t kMostRequestTokens = INT32_MAX;

// What a generation answers in: OpenAI's completion or chat completion, or llama-server's
// /completion.
enum class Shape { Completion, Chat, Llama };

struct ChatMessage {
  std::string role;  // system, user, assistant or tool
  std::string content;  // "" for an assistant's tool calls without text
  nlohmann::ordered_json tool_calls;  // an assistant's, as a template reads them (tool_calls.h); null when none
  std::string tool_call_id;           // a tool's result: the call it answers
  // The content's text parts, when it came as OpenAI's parts (their texts joined make
  // `content`); a continued last message joins them by blank lines, as llama.cpp does.
  std::vector<std::string> text_parts;
  // An assistant's reasoning (llama-server's reasoning_content; Anthropic's thinking blocks),
  // which templates that show earlier reasoning render.
  std::string reasoning_content;
  // The images among its content parts, in order; `content` holds a media marker for each.
  std::vector<RequestImage> images;
};

inline constexpr int64_t kMaxChoices = 16;

struct ServeRequest {
  bool chat = false;
  std::string prompt;                 // /v1/completions, as text
  std::vector<int32_t> prompt_tokens; // /v1/completions, as token ids (then `prompt` is empty)
  // llama-server's /completion: its prompts (llama_prompts.h), several answered as an array;
  // /v1/completions: its one prompt object (prompt_string, multimodal_data).
  std::vector<MixedPrompt> prompts;
  bool return_tokens = false;  // llama-server's: a whole answer's token ids beside its text
  bool verbose = false;        // llama-server's: the answer carries "__verbose" (its prompt)
  // llama-server's, when streamed: events saying where reading the prompt stands, and the
  // timings so far on every piece.
  bool return_progress = false, timings_per_token = false;
  std::vector<ChatMessage> messages;  // /v1/chat/completions
  std::optional<std::string> model;
  std::optional<int64_t> max_tokens;  // absent: 16 for a completion, a chat answer to its end
  runtime::SamplerOptions sampling;   // the server's defaults where the request is silent; logit_bias
  // llama-server's logit_bias by text: each token the text is written in gets the bias.
  std::vector<std::pair<std::string, float>> logit_bias_texts;
  bool seeded = false;                // a seed was given (else the server draws one)
  std::vector<std::string> stop;
  bool stream = false;
  bool include_usage = false;  // stream_options.include_usage: a last chunk with the usage
  bool ignore_eos = false;     // llama-server's: generate past the end of text
  // llama-server's field: false prefills the whole prompt even when a slot's KV cache
  // holds a prefix of it (runtime/batch_generator.h).
  bool cache_prompt = true;
  // OpenAI's n: the choices answered, each generated on its own (kMaxChoices at most; one when
  // streamed).
  int64_t choices = 1;
  // llama-server's id_slot: the KV-cache slot to run in (a busy one is waited for); -1: any.
  int64_t slot = -1;
  // logprobs (chat: with top_logprobs alternatives; completions: logprobs alternatives;
  // llama-server: n_probs): the alternatives a token's log-probability comes with.
  std::optional<int64_t> top_logprobs;
  // llama-server's post_sampling_probs: those of the distribution the sampler drew from, after
  // its cuts, as probabilities ("prob", "top_probs") where the answer's shape has them.
  bool post_sampling_probs = false;
  // response_format json_object or json_schema: what the answer must be (tools/serve/fields/response_format.h).
  std::shared_ptr<const structured::Grammar> response_format;
  // llama-server's `grammar`: a GBNF grammar the answer keeps to (tools/serve/fields/grammar_field.h).
  std::shared_ptr<const structured::GbnfGrammar> grammar;
  ToolOptions tools;  // /v1/chat/completions: tools, tool_choice, parallel_tool_calls
  // A chat's template inputs (tools/serve/request/template_fields.h): whether the generation prompt
  // follows the messages, and the variables chat_template_kwargs and reasoning_effort add.
  bool add_generation_prompt = true;
  nlohmann::ordered_json template_variables = nlohmann::ordered_json::object();
  std::optional<ReasoningFormat> reasoning_format;  // the request's, over --reasoning-format
  // Where response_format's JSON sits in the answer when it is not all of it (tool calls:
  // an `auto` call's trigger; calls that may follow one another).
  structured::JsonTrigger response_trigger;
  std::vector<std::string> ignored_fields;  // the body's fields lmc does not know
};

// llama-server's POST /tokenize {"content", "add_special"} and /detokenize {"tokens"}.
struct TokenizeRequest {
  std::string content;
  bool add_special = false;  // the model's BOS, when its tokenizer begins with one
  bool with_pieces = false;  // each token as {"id", "piece"}: its text (its bytes when not UTF-8)
};
TokenizeRequest parse_tokenize(std::string_view body);
std::vector<int32_t> parse_detokenize(std::string_view body, int64_t vocab);

// POST /v1/embeddings (and llama-server's /embeddings, whose `content` is `input`): one
// input or a list (is_prompt_list), each what a /completion prompt may be (llama_prompts.h:
// text, ids, both mixed, {"prompt_string", "multimodal_data"}) or OpenAI's content parts
// {"content": [parts]}, their texts joined and a media marker where each image_url part stood;
// the floats as numbers or, with encoding_format "base64", as their little-endian bytes in
// base64 (the openai client's default). `dimensions`, when given, must be the model's own.
struct EmbeddingInput {
  MixedPrompt prompt;  // a content entry's joined text as its one piece
  std::vector<RequestImage> images;  // a content entry's image parts, in order
  std::string images_at;  // where those parts are ("input[1].content"), which errors name
};
struct EmbeddingRequest {
  std::vector<EmbeddingInput> inputs;
  bool base64 = false;
};
EmbeddingRequest parse_embeddings(std::string_view body, int64_t vocab, int64_t dimensions);

// `max_tokens_limit`: the most tokens a request may ask for (kMostRequestTokens); `vocab`: the
// tokenizer's size, which token ids (prompt, logit_bias) must be below; `defaults`: the
// sampling of a request that names no sampling field (its seed is not used); `tool_format`:
// the form of tool calls the chat template asks for (tool_call_format_for).
ServeRequest parse_request(std::string_view body, bool chat, int64_t max_tokens_limit, int64_t vocab,
                           const runtime::SamplerOptions& defaults, const ToolCallFormat& tool_format);

// llama-server's POST /completion: `prompt` (text or token ids), `n_predict` (or
// `max_tokens`; -1 or absent: to the end of the context), the sampling fields, `seed` (-1:
// random), `stop`, `stream`, `cache_prompt`, `ignore_eos`, `logit_bias` (OpenAI's object or
// llama-server's [[id, bias], ...], false banning), `json_schema`, `grammar`, `n_probs` (each token's
// log-probability and that many alternatives'), and `n_keep` (lmc never
// shifts the context, so any value asks for nothing). Fields for what lmc lacks are
// accepted at the value that asks for nothing.
ServeRequest parse_llama_completion(std::string_view body, int64_t max_tokens_limit, int64_t vocab,
                                    const runtime::SamplerOptions& defaults);

}  // namespace lmc::tools

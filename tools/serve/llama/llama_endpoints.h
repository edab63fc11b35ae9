// llama-server's own endpoints, in its shapes: GET /props (the server's settings), GET
// /slots (what each KV-cache slot runs) and POST /completion (its native completion, whole
// or streamed), and the `timings` object every generation's answer carries.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "models/chat/chat_template.h"
#include "tools/serve/engine/api_server.h"
#include "tools/serve/engine/serve_engine.h"
#include "tools/serve/tool_calls/tool_call_format.h"

namespace lmc::tools {

// The prompt's tokens read (past the cached prefix) and the time to the first token; the
// tokens sampled from decode steps and their time.
nlohmann::json timings(const JobResult& r);
// The same so far: while the prompt is read (return_progress), and at a piece of the answer
// (timings_per_token).
nlohmann::json timings(const PromptProgress& p);
nlohmann::json timings(const TextProgress& p);
// llama-server's prompt_progress: {"total", "cache", "processed" (cache included), "time_ms"}.
nlohmann::json prompt_progress(const PromptProgress& p);

// llama-server's build as OpenAI's system_fingerprint shows it: "b<commits>-<commit>".
std::string build_fingerprint();

// A generation's sampling and limits as llama-server's "params".
nlohmann::json generation_params(const runtime::GenerateOptions& g, const std::vector<std::string>& stop);

// `chat`: what renders chats (null when the model does not chat): its Jinja text is
// "chat_template", the family it falls back to "chat_format"; `tool_format`, the form the
// server reads its tool calls in, is "tool_call_format" (lmc's own field); `queue`, who waits
// for a slot and the queue's bounds, is "queue" (lmc's own too: queue_json).
nlohmann::json props(const driver::LoadedModel& m, const ServeOptions& o, const std::string& served_name,
                     const std::vector<SlotState>& slots, const models::ChatTemplate* chat,
                     const ToolCallFormat& tool_format, const nlohmann::json& template_caps,
                     const EngineCounters& queue);
// {"waiting", "limit", "timeout_seconds", "oldest_wait_seconds"}.
nlohmann::json queue_json(const EngineCounters& c);
// /v1/models' `meta`, as llama-server fills it: vocab_type (llama.cpp's numbers: 1 SentencePiece,
// 2 byte-level BPE), n_vocab, n_ctx (a slot's), n_ctx_train, n_embd, n_params, size and ftype
// (the file's when the weights are a GGUF, else what lmc loaded).
nlohmann::json models_meta(const driver::LoadedModel& m, const ServeOptions& o);
// /v1/models' answer: OpenAI's list of `model` (its `data`) after llama-server's Ollama-style
// `models` array, naming `name`, its capabilities "completion" and, when it reads images
// (`vision`), "multimodal", which llama-server says a client checks before sending images.
nlohmann::json models_list(const nlohmann::json& model, const std::string& name, bool vision);

// llama-server's /slots: every slot with its n_ctx; a busy one with its job's params,
// n_prompt_tokens and next_token (an idle one shows none, as llama-server's before a task).
nlohmann::json slots_json(const std::vector<SlotState>& slots, int64_t context);

// /completion's streamed pieces, and its last answer (the whole text when not streamed):
// stop_type "eos", "word" (with the stopping word), "limit" or "none" (cancelled).
nlohmann::json completion_piece(const std::string& text, int64_t slot, const TextProgress& progress);
// `prompt`: the prompt's tokens as text; tokens_cached: what the slot's cache holds after it.
nlohmann::json completion_answer(const std::string& text, const std::string& prompt, const JobResult& r,
                                 const std::string& model, const nlohmann::json& settings);

}  // namespace lmc::tools

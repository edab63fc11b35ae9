// The answer of POST /v1/embeddings (OpenAI's list with usage) and llama-server's
// /embeddings ([{"index", "embedding": [[...]]}]): each input tokenized as a prompt is (or
// taken as token ids), checked against the context, embedded by the engine.
#pragma once
#include <string>

#include <nlohmann/json.hpp>

#include "driver/open_model.h"
#include "tools/serve/engine/embedding_engine.h"

namespace lmc::tools {

// Throws ApiError: 501 without an engine (a generating server), 400 naming the field of a
// bad request or an input that does not fit.
nlohmann::json embeddings_answer(const driver::LoadedModel& m, EmbeddingEngine* engine, const std::string& body,
                                 bool openai, const std::string& served_name);

}  // namespace lmc::tools

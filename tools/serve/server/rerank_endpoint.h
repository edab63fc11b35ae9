// llama-server's POST /rerank (and /reranking, /v1/rerank, /v1/reranking): a query's
// documents ranked, most relevant first and cut to top_n, in Jina's answer {model, object,
// usage, results: [{index, relevance_score}]} or, asked with `texts` instead of `documents`,
// TEI's [{index, score, text?}]. lmc ranks by embedding similarity, not by a reranker's
// classification head: a document's relevance is the cosine of its pooled embedding and the
// query's (both unit length: their dot product), a GGUF with a rank head scored the same way.
#pragma once
#include <string>

#include <nlohmann/json.hpp>

#include "driver/open_model.h"
#include "tools/serve/engine/embedding_engine.h"

namespace lmc::tools {

// Throws ApiError: 501 without an engine (a server started without --reranking), 400 naming
// the field of a bad request or a text that does not fit the context.
nlohmann::json rerank_answer(const driver::LoadedModel& m, EmbeddingEngine* engine, const std::string& body,
                             const std::string& served_name);

}  // namespace lmc::tools

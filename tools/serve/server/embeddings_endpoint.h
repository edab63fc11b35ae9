// The answer of POST /v1/embeddings (OpenAI's list with usage) and llama-server's
// /embeddings ([{"index", "embedding": [[...]]}]): each input tokenized as a prompt is (or
// taken as token ids), its images (multimodal_data, image_url parts) at their markers as
// /completion's (request_images.h), checked against the context, embedded by the engine.
#pragma once
#include <string>

#include <nlohmann/json.hpp>

#include "driver/open_model.h"
#include "tools/serve/engine/embedding_engine.h"
#include "tools/serve/engine/image_input.h"

namespace lmc::tools {

// `images`: the server's (null without --mmproj). Throws ApiError: 501 without an engine (a
// generating server), 400 naming the field of a bad request, a bad image or an input that
// does not fit, and request_images.h's refusals of images without --mmproj.
nlohmann::json embeddings_answer(const driver::LoadedModel& m, EmbeddingEngine* engine, ImageInput* images,
                                 const std::string& body, bool openai, const std::string& served_name);

}  // namespace lmc::tools

// A chat's images on their way to the engine: the rendered chat's tokens with each image's
// embeddings at its marker (tools/serve/engine/image_input.h), or a refusal as llama-server
// words it. A chat with images to a server without --mmproj is llama-server's 500 ("image
// input is not supported"); an image that does not decode, or is longer than a step, a 400.
#pragma once
#include <optional>
#include <string>

#include "models/tokenizer/tokenizer.h"
#include "tools/serve/engine/image_input.h"
#include "tools/serve/request/serve_request.h"

namespace lmc::tools {

// nullopt when no message of `r` holds an image. `input`: the server's (null without
// --mmproj); `step_rows`: the most rows a step reads, which an image whose tokens attend to
// each other must fit (INT64_MAX where the prompt is only counted).
std::optional<ImagePromptTokens> chat_images(ImageInput* input, const ServeRequest& r, const models::Tokenizer& tok,
                                             const std::string& prompt_text, int64_t step_rows);

}  // namespace lmc::tools

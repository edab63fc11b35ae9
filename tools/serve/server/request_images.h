// A request's images on their way to the engine: a chat's image parts, a llama-server
// prompt's multimodal_data, or an /embeddings input's, become the prompt's tokens with each
// image's embeddings at its marker (tools/serve/engine/image_input.h), or a refusal as
// llama-server words it. A chat with images to a server without --mmproj is llama-server's
// 500 ("image input is not supported"), a prompt's multimodal_data its 400 ("Multimodal data
// provided, but model does not support multimodal requests."); an image that does not
// decode, or is longer than a step, or markers that do not match a prompt's images in
// number, a 400.
#pragma once
#include <optional>
#include <string>

#include "models/tokenizer/tokenizer.h"
#include "tools/serve/engine/image_input.h"
#include "tools/serve/fields/llama_prompts.h"
#include "tools/serve/request/serve_request.h"

namespace lmc::tools {

// nullopt when no message of `r` holds an image. `input`: the server's (null without
// --mmproj); `step_rows`: the most rows a step reads, which an image whose tokens attend to
// each other must fit (INT64_MAX where the prompt is only counted).
std::optional<ImagePromptTokens> chat_images(ImageInput* input, const ServeRequest& r, const models::Tokenizer& tok,
                                             const std::string& prompt_text, int64_t step_rows);

// The tokens of a llama-server prompt, with its multimodal_data's images at their markers
// when it has any (then no image's tokens share KV rows with another prompt, as a chat's).
ImagePromptTokens prompt_with_images(ImageInput* input, const MixedPrompt& p, const models::Tokenizer& tok,
                                     int64_t step_rows);

// The tokens of an input of /embeddings (parse_embeddings): its prompt as prompt_with_images
// reads it, or its content parts' text with their images at their markers (refused as a
// chat's images without --mmproj: llama-server reads both alike).
ImagePromptTokens embedding_input_tokens(ImageInput* input, const EmbeddingInput& in, const models::Tokenizer& tok,
                                         int64_t step_rows);

}  // namespace lmc::tools

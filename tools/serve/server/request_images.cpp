#include "tools/serve/server/request_images.h"

#include "driver/image_prompt.h"
#include "support/error.h"
#include "tools/serve/fields/api_error.h"
#include "tools/serve/request/image_parts.h"

namespace lmc::tools {
namespace {

// `text` with `images` encoded at its markers; an image that cannot be read, or whose tokens
// attend to each other and pass a step, is a 400 naming `param`.
ImagePromptTokens encoded(ImageInput& input, const models::Tokenizer& tok, const std::string& text,
                          const std::vector<RequestImage>& images, int64_t step_rows, const std::string& param) {
  ImagePromptTokens p;
  try {
    p = input.prompt(tok, text, images);
  } catch (const Error& e) {
    throw ApiError(400, "invalid_request_error", std::string("failed to load image: ") + e.what(), param);
  }
  if (const runtime::PromptEmbeddings* span = runtime::span_past_step(p.images.spans, step_rows))
    throw ApiError(400, "invalid_request_error",
                   "an image of " + std::to_string(span->rows) + " tokens does not fit a step of " +
                       std::to_string(step_rows) + " rows",
                   param);
  return p;
}

// llama-server's refusal of an OpenAI image part on a server without --mmproj.
[[noreturn]] void no_image_input() {
  throw ApiError(500, "server_error",
                 "image input is not supported - hint: if this is unexpected, you may need to provide the mmproj");
}

}  // namespace

std::optional<ImagePromptTokens> chat_images(ImageInput* input, const ServeRequest& r, const models::Tokenizer& tok,
                                             const std::string& prompt_text, int64_t step_rows) {
  std::vector<RequestImage> images;
  for (const ChatMessage& m : r.messages) images.insert(images.end(), m.images.begin(), m.images.end());
  if (images.empty()) return std::nullopt;
  if (!input) no_image_input();
  return encoded(*input, tok, prompt_text, images, step_rows, "messages");
}

ImagePromptTokens prompt_with_images(ImageInput* input, const MixedPrompt& p, const models::Tokenizer& tok,
                                     int64_t step_rows) {
  if (p.media.empty()) return {prompt_tokens(p, tok), {}};
  if (!input)
    throw ApiError(400, "invalid_request_error",
                   "Multimodal data provided, but model does not support multimodal requests.", p.media_at);
  // A prompt with media is its prompt_string alone (llama_prompts.h); mtmd wants a marker for each.
  const std::string& text = p.pieces.front().text;
  if (const size_t markers = driver::media_markers(text); markers != p.media.size())
    throw ApiError(400, "invalid_request_error",
                   "the prompt_string has " + std::to_string(markers) + " " + driver::kMediaMarker + " markers for " +
                       std::to_string(p.media.size()) + " multimodal_data images: put one where each image goes",
                   p.media_at);
  std::vector<RequestImage> images;
  for (size_t i = 0; i < p.media.size(); ++i)
    images.push_back(image_of_base64(p.media[i], p.media_at + "[" + std::to_string(i) + "]"));
  return encoded(*input, tok, text, images, step_rows, p.media_at);
}

ImagePromptTokens embedding_input_tokens(ImageInput* input, const EmbeddingInput& in, const models::Tokenizer& tok,
                                         int64_t step_rows) {
  if (in.images.empty()) return prompt_with_images(input, in.prompt, tok, step_rows);
  if (!input) no_image_input();
  return encoded(*input, tok, in.prompt.pieces.front().text, in.images, step_rows, in.images_at);
}

}  // namespace lmc::tools

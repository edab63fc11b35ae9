#include "tools/serve/engine/image_input.h"

namespace lmc::tools {

ImageInput::ImageInput(std::unique_ptr<driver::ImageEncoder> encoder, std::string model)
    : encoder_(std::move(encoder)), model_(std::move(model)) {}

ImagePromptTokens ImageInput::prompt(const models::Tokenizer& tok, const std::string& text,
                                     const std::vector<RequestImage>& images) {
  std::vector<driver::ImageEmbeddings> embeddings;
  {
    std::lock_guard lock(mu_);
    for (const RequestImage& image : images) embeddings.push_back(encoder_->encode_bytes(image.bytes, image.source));
  }
  auto laid_out = std::make_shared<driver::ImagePrompt>(
      driver::image_prompt(tok, text, std::move(embeddings), encoder_->layout(), model_));
  // The spans point into the prompt's images, which the shared prompt keeps.
  return {laid_out->tokens, {laid_out->spans, laid_out->width, laid_out}};
}

}  // namespace lmc::tools

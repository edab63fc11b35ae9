// The images of lmc serve's requests (llama-server's --mmproj): the mmproj's vision tower,
// opened once when the server starts (driver/image_encoder.h), encodes each image a chat
// carries, and the rendered chat becomes the prompt mtmd would make of it, each image at its
// <__media__> marker (driver/image_prompt.h). Requests' HTTP threads encode one image at a
// time: the tower's program has one set of buffers.
#pragma once
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "driver/image_encoder.h"
#include "driver/image_prompt.h"
#include "models/tokenizer/tokenizer.h"
#include "runtime/prompt_embeddings.h"
#include "tools/serve/engine/request_image.h"

namespace lmc::tools {

// A chat's prompt with its images: the tokens, and the spans the batch generator reads
// from their embeddings (which the spans' owner keeps).
struct ImagePromptTokens {
  std::vector<int32_t> tokens;
  runtime::PromptImages images;
};

class ImageInput {
 public:
  // The tower for the text model `model` (errors name it).
  ImageInput(std::unique_ptr<driver::ImageEncoder> encoder, std::string model);

  // `text` (a rendered chat, a marker per image) with `images` encoded in its place. Throws
  // lmc::Error naming the image for one that cannot be decoded, or when the markers and
  // images differ in number.
  ImagePromptTokens prompt(const models::Tokenizer& tok, const std::string& text,
                           const std::vector<RequestImage>& images);

  const driver::ImageLayout& layout() const { return encoder_->layout(); }
  std::string origin() const { return encoder_->origin(); }

 private:
  std::mutex mu_;  // one encoding at a time
  std::unique_ptr<driver::ImageEncoder> encoder_;
  std::string model_;
};

}  // namespace lmc::tools

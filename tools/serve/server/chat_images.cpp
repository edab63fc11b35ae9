#include "tools/serve/server/chat_images.h"

#include "support/error.h"
#include "tools/serve/fields/api_error.h"

namespace lmc::tools {

std::optional<ImagePromptTokens> chat_images(ImageInput* input, const ServeRequest& r, const models::Tokenizer& tok,
                                             const std::string& prompt_text, int64_t step_rows) {
  std::vector<RequestImage> images;
  for (const ChatMessage& m : r.messages) images.insert(images.end(), m.images.begin(), m.images.end());
  if (images.empty()) return std::nullopt;
  if (!input)
    throw ApiError(500, "server_error",
                   "image input is not supported - hint: if this is unexpected, you may need to provide the mmproj");
  ImagePromptTokens p;
  try {
    p = input->prompt(tok, prompt_text, images);
  } catch (const Error& e) {
    throw ApiError(400, "invalid_request_error", std::string("failed to load image: ") + e.what(), "messages");
  }
  if (const runtime::PromptEmbeddings* span = runtime::span_past_step(p.images.spans, step_rows))
    throw ApiError(400, "invalid_request_error",
                   "an image of " + std::to_string(span->rows) + " tokens does not fit a step of " +
                       std::to_string(step_rows) + " rows",
                   "messages");
  return p;
}

}  // namespace lmc::tools

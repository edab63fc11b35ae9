#include "driver/image_prompt.h"

#include "support/error.h"

namespace lmc::driver {

namespace {

// The text cut at each marker: one piece more than markers.
std::vector<std::string> pieces_between_markers(const std::string& text) {
  std::vector<std::string> pieces;
  const std::string marker = kMediaMarker;
  size_t from = 0;
  for (size_t at = text.find(marker); at != std::string::npos; at = text.find(marker, from)) {
    pieces.push_back(text.substr(from, at - from));
    from = at + marker.size();
  }
  pieces.push_back(text.substr(from));
  return pieces;
}

}  // namespace

size_t media_markers(const std::string& text) { return pieces_between_markers(text).size() - 1; }

std::string with_media_markers(const std::string& text, size_t images) {
  if (text.find(kMediaMarker) != std::string::npos) return text;
  std::string marked = text;
  for (size_t i = 0; i < images; ++i) marked = kMediaMarker + marked;
  return marked;
}

ImagePrompt image_prompt(const models::Tokenizer& tok, const std::string& text, std::vector<ImageEmbeddings> images,
                         const ImageLayout& layout, const std::string& model) {
  const std::vector<std::string> pieces = pieces_between_markers(with_media_markers(text, images.size()));
  if (pieces.size() != images.size() + 1)
    throw error_at(model, "the prompt has " + std::to_string(pieces.size() - 1) + " " + kMediaMarker + " markers for " +
                              std::to_string(images.size()) + " --image files");
  for (const std::string& special : {layout.begin, layout.end})
    if (!special.empty() && !tok.find(special)) throw error_at(model, "the tokenizer has no token " + special);
  // The soft tokens' ids: the start token's, or (no start text) id 0, as any id will do.
  const int32_t placeholder = layout.begin.empty() ? 0 : *tok.find(layout.begin);
  ImagePrompt p;
  p.images = std::move(images);
  for (size_t i = 0; i < pieces.size(); ++i) {
    // The image's start text ends the piece before it, and its end text begins the next.
    std::string piece = (i ? layout.end : "") + pieces[i] + (i + 1 < pieces.size() ? layout.begin : "");
    std::vector<int32_t> ids = tok.encode(piece, i == 0 && tok.wants_bos());
    p.tokens.insert(p.tokens.end(), ids.begin(), ids.end());
    if (i + 1 == pieces.size()) break;
    const ImageEmbeddings& e = p.images[i];
    if (p.width && e.width != p.width) throw error_at(model, "the images' embeddings differ in width");
    p.width = e.width;
    p.spans.push_back({static_cast<int64_t>(p.tokens.size()), e.tokens, e.values.data(), layout.bidirectional});
    p.tokens.insert(p.tokens.end(), static_cast<size_t>(e.tokens), placeholder);
  }
  return p;
}

void check_reads_images(const ir::Graph& g, const ImageLayout& layout, const std::string& model,
                        const std::string& mmproj) {
  if (!g.arg("image_rows") || !g.arg("image_mask"))
    throw error_at(model, "the model reads no images: its definition has no image_rows and image_mask");
  if (layout.bidirectional && !g.arg("key_ends"))
    throw error_at(model, "the model reads no images of " + mmproj +
                              ": they attend to each other, and its definition has no key_ends");
}

}  // namespace lmc::driver

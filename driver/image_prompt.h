// A prompt with images, laid out as llama.cpp's mtmd lays it out: each image where the text
// has the media marker <__media__> (or, where it has none, every image before the text),
// as the tower's image start text, the image's soft tokens, its end text (its definition's
// image_begin and image_end, driver/image_layout.h; Gemma 3: <start_of_image>, 256 soft
// tokens, <end_of_image>, as its chat template writes an image; LLaVA: 576 soft tokens alone).
// The text between images is tokenized piece by piece, the first piece with the
// beginning-of-text token when the model wants it. The soft tokens' rows are read from the
// image's embeddings (runtime/prompt_embeddings.h), attending to each other where the layout
// says so; their token ids are placeholders.
#pragma once
#include <string>
#include <vector>

#include "driver/image_encoder.h"
#include "ir/graph.h"
#include "models/tokenizer/tokenizer.h"
#include "runtime/prompt_embeddings.h"

namespace lmc::driver {

// llama.cpp's mtmd_default_marker().
inline constexpr const char* kMediaMarker = "<__media__>";

struct ImagePrompt {
  std::vector<int32_t> tokens;
  std::vector<ImageEmbeddings> images;              // in prompt order
  std::vector<runtime::PromptEmbeddings> spans;     // into images' values
  int64_t width = 0;                                // the embeddings' width
};

// How many media markers `text` has.
size_t media_markers(const std::string& text);

// The text with a marker for each of `images` before it when it has none (mtmd-cli puts them
// in the user's message, before the chat template).
std::string with_media_markers(const std::string& text, size_t images);

// `text` with its markers (with_media_markers adds them when it has none). Throws lmc::Error
// naming `model` when the text has markers for fewer or more images than
// given, or the tokenizer lacks the layout's image start or end token.
ImagePrompt image_prompt(const models::Tokenizer& tok, const std::string& text, std::vector<ImageEmbeddings> images,
                         const ImageLayout& layout, const std::string& model);

// Throws lmc::Error naming `model` when its graph cannot take the images of the tower in
// `mmproj` (whose layout is `layout`): it reads no image_rows and image_mask, or the images
// attend to each other (Gemma 3's) and it reads no key_ends.
void check_reads_images(const ir::Graph& g, const ImageLayout& layout, const std::string& model,
                        const std::string& mmproj);

}  // namespace lmc::driver

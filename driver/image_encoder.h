// A vision tower run on images: the mmproj checked (models/vision/mmproj.h), the definition
// its projector names (models/<projector>-vision.yaml, Gemma 3's models/gemma3-vision.yaml)
// lowered on it and compiled like any model (the pipeline, then kernels), and each image
// decoded, fitted to the tower's square, normalized and cut into the patches' rows
// (models/image/vision_preprocess.h), then run as one step of the definition's step_tokens
// rows (side², and a class token's where the definition has one). The result is
// the image's embeddings in the text model's width, the rows the text model reads in
// place of the image's soft tokens. The tower is opened once, when the encoder is made, as
// a text model's weights are (driver/open_model.h): the mmproj is the weights and the
// vision definition their model definition, so that through the compile cache the first
// call compiles it into a sealed artifact and later calls map that artifact, keyed by the
// mmproj's content, the definition, the passes and the target as any entry
// (driver/cache_key.h). Each image is one run of it.
#pragma once
#include <memory>
#include <string>
#include <string_view>

#include "driver/compile.h"
#include "driver/compile_cache.h"
#include "driver/graph_run.h"
#include "driver/image_layout.h"
#include "models/image/image.h"
#include "models/vision/mmproj.h"

namespace lmc::driver {

struct ImageEmbeddings {
  int64_t tokens = 0;  // the image's soft tokens (Gemma 3: 256)
  int64_t width = 0;   // the text model's width
  std::vector<float> values;  // tokens x width, row-major
  double seconds = 0;          // the tower's run alone (no decoding, no preprocessing)
};

class ImageEncoder {
 public:
  // Opens the tower: from `cache` (compiled into it first when it lacks the tower), or
  // compiled in memory when `cache` is nullptr or `r` watches its compile (IR printing, the
  // stage log: driver/cache_key.h's watches_compile). Throws lmc::Error naming `mmproj`
  // (and its key or tensor) for a file lmc cannot read, or the definition for one that does
  // not lower on it. `r`: target, pipeline, logging; its model, definition and lowering are
  // set here.
  ImageEncoder(const std::string& mmproj, CompileRequest r, CompileCache* cache, int threads);
  ImageEncoder(const ImageEncoder&) = delete;
  ImageEncoder& operator=(const ImageEncoder&) = delete;
  ~ImageEncoder();

  const models::VisionHParams& hparams() const { return mmproj_->hparams(); }
  // How its definition places an image in the tower and in the prompt.
  const ImageLayout& layout() const { return layout_; }
  // How the tower was had, for the log: "compiled in 20.1 s into the compile cache as P",
  // "opened from the compile cache P in 0.4 s" or "compiled in memory in 20.1 s".
  std::string origin() const;
  // The embeddings of the PNG or JPEG at `path` (errors name it).
  ImageEmbeddings encode(const std::string& path);
  // The embeddings of the PNG or JPEG `bytes` (errors name `source`: a request's image).
  ImageEmbeddings encode_bytes(std::string_view bytes, const std::string& source);

 private:
  ImageEmbeddings encode_image(const models::Image& image);

  std::unique_ptr<models::MmprojFile> mmproj_;
  std::unique_ptr<GraphProgram> program_;
  size_t patches_arg_ = 0;  // the index of the graph's argument %patches
  int64_t rows_ = 0;        // the tower's step: the patches and a class row when it has one
  ImageLayout layout_;
  std::string cache_entry_;   // the compile cache's artifact; empty: compiled in memory
  bool compiled_ = false;     // by this call (into the cache, or in memory)
  double open_seconds_ = 0;  // compiling or opening it
};

// The definition of a projector's tower: <models_dir()>/<projector>-vision.yaml.
std::string vision_definition(const std::string& projector);

}  // namespace lmc::driver

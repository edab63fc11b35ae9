// lmc encode-image: images through a vision tower, as llama.cpp's mtmd encodes one before
// the text model reads it: the mmproj's definition compiled once into the compile cache and
// mapped from it by later calls (driver/image_encoder.h), each image preprocessed and
// encoded, its embeddings summarized on stdout with the time of the tower's run (an image
// given several times is timed as often), and one image's written as a float32 .npy
// [tokens, text width] for a comparison with a reference.
#include <algorithm>
#include <cstdio>

#include "runtime/executor.h"
#include "support/error.h"
#include "tools/lmc/commands/commands.h"
#include "tools/lmc/flags/cache_flags.h"
#include "tools/lmc/flags/jit_flags.h"
#include "tools/lmc/flags/model_flags.h"
#include "tools/lmc/flags/tower_flags.h"
#include "tools/lmc/npy/npy_writer.h"

namespace lmc::tools {

namespace {

std::vector<FlagSpec> specs() {
  std::vector<FlagSpec> s;
  for (auto& f : compile_flag_specs())
    if (f.name != "context" && f.name != "model-def" && f.name != "weights") s.push_back(f);
  for (auto& f : jit_flag_specs()) s.push_back(f);  // --perf-map: the tower's kernels named for perf
  for (auto& f : cache_flag_specs()) s.push_back(f);
  s.push_back({"mmproj", true, "the vision tower: an mmproj GGUF as llama.cpp's converter writes it", "FILE"});
  s.push_back({"image", true, "a PNG or JPEG file (repeatable)", "FILE"});
  s.push_back({"output", true, "write the embeddings of the one image to FILE.npy (float32 [tokens, text width])",
               "FILE", false, "o"});
  s.push_back({"threads", true, "worker threads (default: the machine's cores)", "N", false, "t"});
  s.push_back({"help", false, "show this help", "", false, "h"});
  return s;
}

void write_npy(const std::string& path, const driver::ImageEmbeddings& e) {
  NpyWriter w(path, e.width);
  for (int64_t r = 0; r < e.tokens; ++r) w.append(e.values.data() + r * e.width);
  w.close();
}

}  // namespace

int cmd_encode_image(int argc, char** argv) {
  std::optional<Args> parsed = command_args(
      specs(), argc, argv,
      "usage: lmc encode-image --mmproj MMPROJ.gguf --image FILE [--image FILE ...] [-o OUT.npy]\n\n"
      "Encodes images with the vision tower of an mmproj (Gemma 3's: models/gemma3-vision.yaml,\n"
      "compiled like any model, once into the compile cache) into the embeddings the text model reads in place of its\n"
      "image tokens, and prints their shape, range and the tower's run time.\n\n"
      "options:\n");
  if (!parsed) return 0;  // --help
  const Args& a = *parsed;
  if (!a.positional().empty()) throw UsageError("lmc encode-image takes --mmproj and --image, no positional argument");
  if (!a.has("mmproj") || !a.has("image")) throw UsageError("lmc encode-image needs --mmproj and --image");
  const std::vector<std::string>& images = a.all("image");
  if (a.has("output") && images.size() != 1) throw UsageError("-o writes the embeddings of one --image");
  const std::string mmproj = *a.get("mmproj");
  apply_jit_flags(a);
  const auto threads = static_cast<int>(a.get_int("threads", runtime::default_threads(), 1, 1024));
  std::unique_ptr<driver::ImageEncoder> encoder = open_tower(mmproj, a, threads);
  std::printf("encode-image: %s: %s %s\n", mmproj.c_str(),
              driver::vision_definition(encoder->hparams().projector).c_str(), encoder->origin().c_str());
  for (const std::string& image : images) {
    const driver::ImageEmbeddings e = encoder->encode(image);
    if (a.has("output")) write_npy(*a.get("output"), e);
    const auto [lo, hi] = std::minmax_element(e.values.begin(), e.values.end());
    std::printf("encode-image: %s: %lld tokens x %lld, min %.6g max %.6g, encoded in %.1f ms on %d threads\n",
                image.c_str(), static_cast<long long>(e.tokens), static_cast<long long>(e.width),
                static_cast<double>(*lo), static_cast<double>(*hi), e.seconds * 1e3, threads);
  }
  return 0;
}

}  // namespace lmc::tools

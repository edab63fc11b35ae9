// lmc encode-image: an image through a vision tower, as llama.cpp's mtmd encodes it before
// the text model reads it: the mmproj's definition compiled (driver/image_encoder.h), the
// image preprocessed and encoded, its embeddings written as a float32 .npy [tokens, text
// width] for a comparison with a reference, and summarized on stdout.
#include <algorithm>
#include <chrono>
#include <cstdio>

#include "driver/image_encoder.h"
#include "runtime/executor.h"
#include "support/error.h"
#include "tools/lmc/commands/commands.h"
#include "tools/lmc/flags/model_flags.h"
#include "tools/lmc/npy/npy_writer.h"

namespace lmc::tools {

namespace {

std::vector<FlagSpec> specs() {
  std::vector<FlagSpec> s;
  for (auto& f : compile_flag_specs())
    if (f.name != "context" && f.name != "model-def" && f.name != "weights") s.push_back(f);
  s.push_back({"mmproj", true, "the vision tower: an mmproj GGUF as llama.cpp's converter writes it", "FILE"});
  s.push_back({"image", true, "a PNG or JPEG file", "FILE"});
  s.push_back({"output", true, "write the embeddings to FILE.npy (float32 [tokens, text width])", "FILE", false, "o"});
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
  std::optional<Args> parsed =
      command_args(specs(), argc, argv,
                   "usage: lmc encode-image --mmproj MMPROJ.gguf --image FILE [-o OUT.npy] [options]\n\n"
                   "Encodes an image with the vision tower of an mmproj (Gemma 3's: models/gemma3-vision.yaml,\n"
                   "compiled like any model) into the embeddings the text model reads in place of its image\n"
                   "tokens, and prints their shape and range.\n\n"
                   "options:\n");
  if (!parsed) return 0;  // --help
  const Args& a = *parsed;
  if (!a.positional().empty()) throw UsageError("lmc encode-image takes --mmproj and --image, no positional argument");
  if (!a.has("mmproj") || !a.has("image")) throw UsageError("lmc encode-image needs --mmproj and --image");
  const std::string mmproj = *a.get("mmproj");
  const auto threads = static_cast<int>(a.get_int("threads", runtime::default_threads(), 1, 1024));
  driver::ImageEncoder encoder(mmproj, compile_request(mmproj, a, TargetDefault::Host), threads);
  const auto t0 = std::chrono::steady_clock::now();
  const driver::ImageEmbeddings e = encoder.encode(*a.get("image"));
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  if (a.has("output")) write_npy(*a.get("output"), e);
  const auto [lo, hi] = std::minmax_element(e.values.begin(), e.values.end());
  std::printf("encode-image: %s: %lld tokens x %lld, min %.6g max %.6g (compiled and encoded in %.2f s)\n",
              a.get("image")->c_str(), static_cast<long long>(e.tokens), static_cast<long long>(e.width),
              static_cast<double>(*lo), static_cast<double>(*hi), seconds);
  return 0;
}

}  // namespace lmc::tools

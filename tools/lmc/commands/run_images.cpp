#include "tools/lmc/commands/run_images.h"

#include <cstdio>

#include "support/error.h"
#include "tools/lmc/flags/tower_flags.h"

namespace lmc::tools {

std::vector<FlagSpec> image_flag_specs() {
  return {{"mmproj", true, "the vision tower for --image: an mmproj GGUF as llama.cpp's converter writes it", "FILE"},
          {"image", true,
           "a PNG or JPEG file read with the prompt (repeatable): where the prompt has <__media__>, one "
           "marker an image, else before the text, as llama-mtmd-cli",
           "FILE"}};
}

std::optional<driver::ImagePrompt> prompt_images(const Args& a, const driver::LoadedModel& m, const std::string& model,
                                                 const std::string& prompt, int threads) {
  if (!a.has("image") && !a.has("mmproj")) return std::nullopt;
  if (!a.has("image")) throw UsageError("--mmproj is for --image files");
  if (!a.has("mmproj")) throw UsageError("--image needs the vision tower, --mmproj FILE");
  const std::string mmproj = *a.get("mmproj");
  std::unique_ptr<driver::ImageEncoder> encoder = open_tower(mmproj, a, threads);
  std::fprintf(stderr, "lmc: %s: vision tower %s\n", mmproj.c_str(), encoder->origin().c_str());
  driver::check_reads_images(*m.graph, encoder->layout(), model, mmproj);
  std::vector<driver::ImageEmbeddings> images;
  for (const std::string& image : a.all("image")) {
    images.push_back(encoder->encode(image));
    std::fprintf(stderr, "lmc: %s: %lld image tokens, encoded in %.1f ms\n", image.c_str(),
                 static_cast<long long>(images.back().tokens), images.back().seconds * 1e3);
  }
  return driver::image_prompt(*m.tokenizer, prompt, std::move(images), encoder->layout(), model);
}

}  // namespace lmc::tools

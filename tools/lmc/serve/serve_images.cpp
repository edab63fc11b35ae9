#include "tools/lmc/serve/serve_images.h"

#include <cstdio>

#include "tools/lmc/flags/tower_flags.h"

namespace lmc::tools {

std::vector<FlagSpec> serve_image_flag_specs() {
  return {{"mmproj", true,
           "the vision tower for requests' images (OpenAI image_url data URIs, Anthropic image blocks, "
           "multimodal_data; with --embeddings, embedded with their text): an mmproj GGUF as llama.cpp's "
           "converter writes it",
           "FILE"},
          {"no-mmproj", false, "read no images, even with --mmproj (chats with images are refused)"}};
}

std::unique_ptr<ImageInput> serve_images(const Args& a, const driver::LoadedModel& m, const std::string& model,
                                         int threads) {
  if (!a.has("mmproj") || a.has("no-mmproj")) return nullptr;
  const std::string mmproj = *a.get("mmproj");
  auto input = std::make_unique<ImageInput>(open_tower(mmproj, a, threads), model);
  driver::check_reads_images(*m.graph, input->layout(), model, mmproj);
  std::fprintf(stderr, "lmc: reading images with %s, its vision tower %s\n", mmproj.c_str(), input->origin().c_str());
  return input;
}

}  // namespace lmc::tools

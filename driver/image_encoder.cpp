#include "driver/image_encoder.h"

#include <filesystem>

#include "driver/graph_arguments.h"
#include "driver/model_definitions.h"
#include "models/image/image_decode.h"
#include "models/image/vision_preprocess.h"
#include "models/lowering.h"
#include "support/error.h"

namespace lmc::driver {

std::string vision_definition(const std::string& projector) {
  return (std::filesystem::path(models_dir()) / (projector + "-vision.yaml")).string();
}

ImageEncoder::ImageEncoder(const std::string& mmproj, CompileRequest r, int threads)
    : mmproj_(models::MmprojFile::open(mmproj)), request_(std::move(r)), threads_(threads) {
  request_.model = vision_definition(hparams().projector);
  request_.model_def.clear();
  request_.lower.weights = mmproj;
  models::LowerOptions lower;
  lower.weights = mmproj;
  source_ = std::move(models::lower_model(request_.model, lower).graph);
  runtime::SymbolValues given{};
  given[static_cast<size_t>(ir::Sym::T)] = hparams().patches();
  given[static_cast<size_t>(ir::Sym::C)] = hparams().patches();
  syms_ = bind_symbols(*source_, given, request_.model);
}

ImageEncoder::~ImageEncoder() = default;

ImageEmbeddings ImageEncoder::encode(const std::string& path) {
  const models::VisionHParams& hp = hparams();
  const models::Image fitted = models::fit_to_square(models::read_image_file(path), hp.image_size);
  const std::vector<float> chw = models::normalize_chw(fitted, {hp.image_mean, hp.image_std});
  HostArray patches{ir::DType::f32,
                    {hp.patches(), 3 * hp.patch_size * hp.patch_size},
                    models::patch_rows(chw, hp.image_size, hp.patch_size),
                    {}};
  // Positions 0 .. patches - 1 of one sequence; the caches' seeded rows are all overwritten
  // by the step's keys and values before attention reads them.
  const std::vector<HostArray> args =
      graph_arguments(*source_, request_.model, syms_, {{"patches", GivenArray{path, std::move(patches)}}}, 0);
  GraphRun run = run_graph(request_, *source_, args, syms_, threads_);
  HostArray& out = run.results.at(0);
  if (out.shape.size() != 2 || out.shape[0] != hp.image_tokens() || out.shape[1] != hp.projection_dim)
    throw error_at(request_.model, "the tower's result is " + shape_text(out.shape) + ", expected (" +
                                       std::to_string(hp.image_tokens()) + ", " + std::to_string(hp.projection_dim) +
                                       ") from " + mmproj_->gguf().path());
  return {out.shape[0], out.shape[1], std::move(out.f32)};
}

}  // namespace lmc::driver

#include "driver/image_encoder.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <map>

#include "driver/graph_arguments.h"
#include "driver/model_definitions.h"
#include "driver/open_model.h"
#include "models/image/image_decode.h"
#include "models/image/vision_preprocess.h"
#include "support/error.h"

namespace lmc::driver {

std::string vision_definition(const std::string& projector) {
  return (std::filesystem::path(models_dir()) / (projector + "-vision.yaml")).string();
}

namespace {

using Clock = std::chrono::steady_clock;

double since(Clock::time_point t0) { return std::chrono::duration<double>(Clock::now() - t0).count(); }

}  // namespace

ImageEncoder::ImageEncoder(const std::string& mmproj, CompileRequest r, CompileCache* cache, int threads)
    : mmproj_(models::MmprojFile::open(mmproj)) {
  const auto t0 = Clock::now();
  const std::string definition = vision_definition(hparams().projector);
  OpenRequest o;
  o.compile = std::move(r);
  o.compile.model = mmproj;
  o.compile.model_def = definition;
  o.compile.lower = {};  // the tower's own context and name, none of the text model's overrides
  o.cache = cache;
  o.trust = artifact_trust({}, true);  // the cache's entries are sealed with the user's key
  o.reads_text = false;
  LoadedModel m = open_model(mmproj, o);
  cache_entry_ = m.cached.path;
  compiled_ = cache_entry_.empty() || m.cached.compiled;
  // One step of the definition's rows; L, the rows a tail_rows keeps, the image's tokens.
  rows_ = m.info.step_tokens;
  layout_ = image_layout(m.info, rows_, definition);
  if (rows_ != hparams().patches() + (layout_.class_row ? 1 : 0))
    throw error_at(definition, "step_tokens is " + std::to_string(rows_) + ", expected the " +
                                   std::to_string(hparams().patches()) + " patches" +
                                   (layout_.class_row ? " and the class row" : "") + " of " + mmproj);
  runtime::SymbolValues given{};
  given[static_cast<size_t>(ir::Sym::T)] = rows_;
  given[static_cast<size_t>(ir::Sym::C)] = m.info.context;
  given[static_cast<size_t>(ir::Sym::L)] = std::min(hparams().image_tokens(), rows_);
  const runtime::SymbolValues syms = bind_symbols(*m.graph, given, definition);
  const auto& args = m.graph->args();
  auto patches = std::find_if(args.begin(), args.end(), [](const auto& a) { return a->name() == "patches"; });
  if (patches == args.end()) throw error_at(definition, "a vision tower's definition must read the input 'patches'");
  patches_arg_ = static_cast<size_t>(patches - args.begin());
  // Positions 0 .. rows - 1 of one sequence. The patches and caches stay as the runner
  // zeroed them: each image stores its patches, and its step's keys and values overwrite
  // every cache row (the context is the step's rows) before attention reads them, so
  // values stored here (Gemma 3's 27 x 2 x 4096 x 1152 cache values) would only cost time.
  const std::map<size_t, HostArray> row_ids = row_id_arguments(*m.graph, definition, syms, 0);
  program_ = std::make_unique<GraphProgram>(std::move(m), std::vector<HostArray>{}, syms, threads);
  for (const auto& [i, ids] : row_ids) program_->store_argument(i, ids);
  open_seconds_ = since(t0);
}

std::string ImageEncoder::origin() const {
  char seconds[32];
  std::snprintf(seconds, sizeof seconds, "%.2f s", open_seconds_);
  if (cache_entry_.empty()) return std::string("compiled in memory in ") + seconds;
  if (compiled_) return std::string("compiled in ") + seconds + " into the compile cache as " + cache_entry_;
  return "opened from the compile cache " + cache_entry_ + " in " + seconds;
}

ImageEncoder::~ImageEncoder() = default;

ImageEmbeddings ImageEncoder::encode(const std::string& path) { return encode_image(models::read_image_file(path)); }

ImageEmbeddings ImageEncoder::encode_bytes(std::string_view bytes, const std::string& source) {
  return encode_image(models::decode_image(bytes, source));
}

ImageEmbeddings ImageEncoder::encode_image(const models::Image& image) {
  const models::VisionHParams& hp = hparams();
  const models::Image fitted = models::fit_to_square(image, hp.image_size, layout_.pad, layout_.resample);
  const std::vector<float> chw = models::normalize_chw(fitted, {hp.image_mean, hp.image_std});
  int64_t width = 3 * hp.patch_size * hp.patch_size;
  std::vector<float> rows = models::patch_rows(chw, hp.image_size, hp.patch_size);
  if (layout_.class_row) rows = models::with_class_row(rows, width++, *layout_.class_row);
  program_->store_argument(patches_arg_, HostArray{ir::DType::f32, {rows_, width}, std::move(rows), {}});
  const auto t0 = Clock::now();
  program_->run();
  const double seconds = since(t0);
  GraphRun run = program_->results();
  HostArray& out = run.results.at(0);
  if (out.shape.size() != 2 || out.shape[0] != hp.image_tokens() || out.shape[1] != hp.projection_dim)
    throw error_at(vision_definition(hp.projector), "the tower's result is " + shape_text(out.shape) + ", expected (" +
                                                        std::to_string(hp.image_tokens()) + ", " +
                                                        std::to_string(hp.projection_dim) + ") from " +
                                                        mmproj_->gguf().path());
  return {out.shape[0], out.shape[1], std::move(out.f32), seconds};
}

}  // namespace lmc::driver

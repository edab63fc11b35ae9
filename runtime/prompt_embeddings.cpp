#include "runtime/prompt_embeddings.h"

#include <algorithm>
#include <string>

#include "support/error.h"

namespace lmc::runtime {

int64_t chunk_end(const std::vector<PromptEmbeddings>& spans, int64_t at, int64_t chunk, int64_t n) {
  const int64_t end = std::min(n, at + chunk);
  for (const PromptEmbeddings& s : spans) {
    if (!s.joint || s.at + s.rows <= end || s.at >= end || s.at + s.rows <= at) continue;
    if (s.at <= at)
      throw Error("runtime: error: an image of " + std::to_string(s.rows) + " tokens does not fit a step of " +
                  std::to_string(chunk) + " rows");
    return s.at;  // the span starts the next chunk
  }
  return end;
}

const PromptEmbeddings* span_past_step(const std::vector<PromptEmbeddings>& spans, int64_t step) {
  for (const PromptEmbeddings& s : spans)
    if (s.joint && s.rows > step) return &s;
  return nullptr;
}

int64_t rows_before_images(const std::vector<PromptEmbeddings>& spans, int64_t n) {
  return spans.empty() ? n : std::min(n, spans.front().at);
}

std::vector<int32_t> give_embeddings(Executor& ex, const std::vector<PromptEmbeddings>& spans, int64_t width,
                                     int64_t at, int64_t T, int64_t pos) {
  if (ex.rows_width("image_rows") != width || ex.rows_width("image_mask") != 1)
    throw Error("runtime: error: the model reads no image rows of width " + std::to_string(width) +
                " (image_rows [T, width] and image_mask [T, 1])");
  std::vector<float> rows(static_cast<size_t>(T * width), 0.0f), mask(static_cast<size_t>(T), 0.0f);
  std::vector<int32_t> key_ends(static_cast<size_t>(T));
  for (int64_t t = 0; t < T; ++t) key_ends[static_cast<size_t>(t)] = static_cast<int32_t>(pos + at + t);
  for (const PromptEmbeddings& s : spans) {
    // The span's rows in this chunk (chunk_end keeps a joint span whole).
    const int64_t from = std::max(s.at, at), to = std::min(s.at + s.rows, at + T);
    if (from >= to) continue;
    std::copy_n(s.values + (from - s.at) * width, (to - from) * width, rows.begin() + (from - at) * width);
    for (int64_t r = from - at; r < to - at; ++r) {
      mask[static_cast<size_t>(r)] = 1.0f;
      if (s.joint) key_ends[static_cast<size_t>(r)] = static_cast<int32_t>(pos + s.at + s.rows - 1);
    }
  }
  ex.give_rows("image_rows", rows.data(), T);
  ex.give_rows("image_mask", mask.data(), T);
  return key_ends;
}

const float* step_with_embeddings(Executor& ex, const std::vector<PromptEmbeddings>& spans, int64_t width,
                                  const int32_t* tokens, int64_t at, int64_t T, int64_t pos, int64_t L) {
  const std::vector<int32_t> key_ends = give_embeddings(ex, spans, width, at, T, pos);
  std::vector<int32_t> positions(static_cast<size_t>(T)), seqs(static_cast<size_t>(T));
  for (int64_t t = 0; t < T; ++t) positions[static_cast<size_t>(t)] = static_cast<int32_t>(pos + at + t);
  return ex.step(StepRows{tokens + at, positions.data(), seqs.data(), T, key_ends.data()}, L);
}

}  // namespace lmc::runtime

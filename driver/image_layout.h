// What a vision tower's definition (models/<projector>-vision.yaml) says of its images beyond
// its graph, as parameters, so that a second architecture is data: how an image enters the
// tower and how its embeddings enter the text model's prompt.
//  * image_pad: [R, G, B], the color an image is centered on in the tower's square (default
//    black; llama.cpp's LLaVA: 122, 116, 104).
//  * image_resample: "bilinear" (the default; Gemma 3's) or "bicubic" (LLaVA's), the filter
//    an image of another size is resized with (models/image/resample.h), as mtmd's.
//  * class_row: the row of the tower's step that carries the class token (CLIP's), absent
//    for none. That row of `patches` is zeros with a 1 in one more last column, the other
//    rows a 0 there, so that a linear against [patch kernel | class embedding] adds the
//    class embedding to that row alone.
//  * image_begin, image_end: the text around an image's soft tokens (Gemma 3:
//    <start_of_image>, <end_of_image>; LLaVA: none).
//  * image_bidirectional: 1 when an image's soft tokens attend to each other in the text
//    model (Gemma 3), 0 when causal (LLaVA), as llama.cpp's mtmd decodes them.
#pragma once
#include <array>
#include <cstdint>
#include <optional>
#include <string>

#include "ir/model_info.h"
#include "models/image/resample.h"

namespace lmc::driver {

struct ImageLayout {
  std::array<uint8_t, 3> pad{};
  models::ResampleFilter resample = models::ResampleFilter::bilinear;
  std::optional<int64_t> class_row;
  std::string begin, end;
  bool bidirectional = false;
};

// The layout from a lowered tower's parameters; throws lmc::Error naming `definition` for a
// value out of range (a pad channel past 255, a class row outside the step's `rows`, a
// filter other than bilinear or bicubic).
ImageLayout image_layout(const ir::ModelInfo& info, int64_t rows, const std::string& definition);

}  // namespace lmc::driver

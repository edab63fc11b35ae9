// What a fixed-size vision tower (SigLIP, as Gemma 3's) takes from an image, as llama.cpp's
// mtmd prepares it: the image fitted into the model's square (its aspect kept, resampled as
// Pillow does, centered on the pad color), then each channel as (v / 255 - mean) / std
// with the mmproj's mean and std, laid out channel by channel (CHW) for the patch
// embedding, and cut into the patches' rows. The arithmetic is float32 in llama.cpp's order, so a pixel rounds as
// there.
#pragma once
#include <array>
#include <cstdint>
#include <vector>

#include "models/image/image.h"
#include "models/image/resample.h"

namespace lmc::models {

// The image scaled by min(size / width, size / height) to sides of ceil(side * scale)
// (at most `size`) with `filter` (models/image/resample.h: Gemma 3's bilinear, LLaVA's
// bicubic), and placed at ((size - w) / 2, (size - h) / 2) of a size x size image of color
// `pad` (Gemma 3's black, LLaVA's 122, 116, 104), as mtmd's fixed-size preprocessing. An
// image already that size is returned as it is.
Image fit_to_square(const Image& image, int64_t size, std::array<uint8_t, 3> pad = {},
                    ResampleFilter filter = ResampleFilter::bilinear);

struct PixelNormalization {
  std::array<float, 3> mean{};
  std::array<float, 3> std{};
};

// [3, height, width] floats: channel c of pixel (x, y) at (c * height + y) * width + x.
std::vector<float> normalize_chw(const Image& image, const PixelNormalization& norm);

// A square [3, side, side] image (normalize_chw's) cut into patch x patch squares, one row
// each, (side / patch)² rows of 3 * patch² values: row py * (side / patch) + px holds the
// square at (px, py), channel by channel, each channel's rows top to bottom. A convolution
// with stride = kernel = patch is then a linear of these rows against its flattened kernel.
std::vector<float> patch_rows(const std::vector<float>& chw, int64_t side, int64_t patch);

// The rows of `width` values with a class token's row inserted at `at`: each row gains one
// more last column, 0, and the class row is zeros with a 1 there (a linear against
// [kernel | class embedding] then adds the embedding to that row alone: CLIP's).
std::vector<float> with_class_row(const std::vector<float>& rows, int64_t width, int64_t at);

}  // namespace lmc::models

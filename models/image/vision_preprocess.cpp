#include "models/image/vision_preprocess.h"

#include <algorithm>
#include <cmath>

namespace lmc::models {

Image fit_to_square(const Image& image, int64_t size, std::array<uint8_t, 3> pad, ResampleFilter filter) {
  if (image.width == size && image.height == size) return image;
  const float scale = std::min(static_cast<float>(size) / static_cast<float>(image.width),
                               static_cast<float>(size) / static_cast<float>(image.height));
  auto side = [&](int64_t n) { return std::min(static_cast<int64_t>(std::ceil(static_cast<float>(n) * scale)), size); };
  const Image scaled = resample(image, side(image.width), side(image.height), filter);
  Image out{size, size, std::vector<uint8_t>(static_cast<size_t>(size * size * 3))};
  for (size_t i = 0; i < out.rgb.size(); ++i) out.rgb[i] = pad[i % 3];
  const int64_t left = (size - scaled.width) / 2, top = (size - scaled.height) / 2;
  for (int64_t y = 0; y < scaled.height; ++y)
    std::copy_n(scaled.pixel(0, y), scaled.width * 3, out.rgb.data() + ((top + y) * size + left) * 3);
  return out;
}

std::vector<float> normalize_chw(const Image& image, const PixelNormalization& norm) {
  const int64_t plane = image.width * image.height;
  std::vector<float> out(static_cast<size_t>(plane * 3));
  for (int64_t i = 0; i < plane; ++i)
    for (int64_t c = 0; c < 3; ++c)
      out[static_cast<size_t>(c * plane + i)] =
          (static_cast<float>(image.rgb[static_cast<size_t>(i * 3 + c)]) / 255.0f - norm.mean[c]) / norm.std[c];
  return out;
}

std::vector<float> patch_rows(const std::vector<float>& chw, int64_t side, int64_t patch) {
  const int64_t per_side = side / patch, width = 3 * patch * patch;
  std::vector<float> out(static_cast<size_t>(per_side * per_side * width));
  for (int64_t py = 0; py < per_side; ++py)
    for (int64_t px = 0; px < per_side; ++px) {
      float* row = out.data() + (py * per_side + px) * width;
      for (int64_t c = 0; c < 3; ++c)
        for (int64_t ky = 0; ky < patch; ++ky)
          std::copy_n(chw.data() + (c * side + py * patch + ky) * side + px * patch, patch,
                      row + (c * patch + ky) * patch);
    }
  return out;
}

std::vector<float> with_class_row(const std::vector<float>& rows, int64_t width, int64_t at) {
  const int64_t n = static_cast<int64_t>(rows.size()) / width, wide = width + 1;
  std::vector<float> out(static_cast<size_t>((n + 1) * wide), 0.0f);
  for (int64_t r = 0, from = 0; r <= n; ++r) {
    float* row = out.data() + r * wide;
    if (r == at) {
      row[width] = 1.0f;
      continue;
    }
    std::copy_n(rows.data() + from++ * width, width, row);
  }
  return out;
}

}  // namespace lmc::models

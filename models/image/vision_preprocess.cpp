#include "models/image/vision_preprocess.h"

#include <algorithm>
#include <cmath>

namespace lmc::models {

namespace {

float lerp(float from, float to, float t) { return from + (to - from) * t; }

// Where target index i samples the source: corners aligned, so the step is
// (source - 1) / (target - 1), computed as float as llama.cpp does.
struct Sample {
  int64_t lo, hi;
  float frac;
};

std::vector<Sample> samples(int64_t source, int64_t target) {
  const float step = target > 1 ? static_cast<float>(source - 1) / static_cast<float>(target - 1) : 0.0f;
  std::vector<Sample> out(static_cast<size_t>(target));
  for (int64_t i = 0; i < target; ++i) {
    const float at = static_cast<float>(i) * step;
    const int64_t lo = std::min(static_cast<int64_t>(at), source - 1);
    out[static_cast<size_t>(i)] = {lo, std::min(lo + 1, source - 1), at - static_cast<float>(lo)};
  }
  return out;
}

Image resize_bilinear(const Image& src, int64_t width, int64_t height) {
  Image dst{width, height, std::vector<uint8_t>(static_cast<size_t>(width * height * 3))};
  const std::vector<Sample> xs = samples(src.width, width), ys = samples(src.height, height);
  for (int64_t y = 0; y < height; ++y) {
    const Sample& sy = ys[static_cast<size_t>(y)];
    for (int64_t x = 0; x < width; ++x) {
      const Sample& sx = xs[static_cast<size_t>(x)];
      const uint8_t *p00 = src.pixel(sx.lo, sy.lo), *p10 = src.pixel(sx.hi, sy.lo);
      const uint8_t *p01 = src.pixel(sx.lo, sy.hi), *p11 = src.pixel(sx.hi, sy.hi);
      uint8_t* out = dst.rgb.data() + (y * width + x) * 3;
      for (int c = 0; c < 3; ++c) {
        const float top = lerp(p00[c], p10[c], sx.frac);
        const float bottom = lerp(p01[c], p11[c], sx.frac);
        out[c] = static_cast<uint8_t>(lerp(top, bottom, sy.frac));
      }
    }
  }
  return dst;
}

}  // namespace

Image fit_to_square(const Image& image, int64_t size, std::array<uint8_t, 3> pad) {
  if (image.width == size && image.height == size) return image;
  const float scale = std::min(static_cast<float>(size) / static_cast<float>(image.width),
                               static_cast<float>(size) / static_cast<float>(image.height));
  auto side = [&](int64_t n) { return std::min(static_cast<int64_t>(std::ceil(static_cast<float>(n) * scale)), size); };
  const Image scaled = resize_bilinear(image, side(image.width), side(image.height));
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

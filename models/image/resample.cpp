#include "models/image/resample.h"

#include <algorithm>
#include <cmath>
#include <vector>

namespace lmc::models {

namespace {

// Weights in fixed point with 22 fractional bits: a sum of 8-bit values times weights that
// add up to 1 then fits in 32 bits with 2 bits to spare.
constexpr int kFractionBits = 22;

double filter_support(ResampleFilter f) { return f == ResampleFilter::bilinear ? 1.0 : 2.0; }

double filter_weight(ResampleFilter f, double x) {
  x = std::fabs(x);
  if (f == ResampleFilter::bilinear) return x < 1.0 ? 1.0 - x : 0.0;
  constexpr double a = -0.5;
  if (x < 1.0) return ((a + 2.0) * x - (a + 3.0)) * x * x + 1.0;
  if (x < 2.0) return (((x - 5.0) * x + 8.0) * x - 4.0) * a;
  return 0.0;
}

// One output index's taps: the first input index and each tap's fixed-point weight.
struct Taps {
  int64_t first = 0;
  std::vector<int32_t> weights;
};

std::vector<Taps> taps_for(int64_t in, int64_t out, ResampleFilter f) {
  const double scale = static_cast<double>(in) / static_cast<double>(out);
  const double widen = std::max(scale, 1.0), narrow = 1.0 / widen;
  const double support = filter_support(f) * widen;
  std::vector<Taps> all(static_cast<size_t>(out));
  std::vector<double> w;
  for (int64_t o = 0; o < out; ++o) {
    const double center = (static_cast<double>(o) + 0.5) * scale;
    // Truncation toward zero of the rounded ends, as the reference's int casts.
    const int64_t lo = std::max<int64_t>(static_cast<int64_t>(center - support + 0.5), 0);
    const int64_t hi = std::min<int64_t>(static_cast<int64_t>(center + support + 0.5), in);
    w.assign(static_cast<size_t>(std::max<int64_t>(hi - lo, 0)), 0.0);
    double sum = 0.0;
    for (size_t k = 0; k < w.size(); ++k) {
      w[k] = filter_weight(f, (static_cast<double>(lo) + static_cast<double>(k) - center + 0.5) * narrow);
      sum += w[k];
    }
    Taps& t = all[static_cast<size_t>(o)];
    t.first = lo;
    for (double v : w) {
      const double unit = sum != 0.0 ? v / sum : 0.0;
      const double fixed = unit * static_cast<double>(1 << kFractionBits);
      t.weights.push_back(static_cast<int32_t>(fixed < 0 ? fixed - 0.5 : fixed + 0.5));
    }
  }
  return all;
}

uint8_t to_8_bits(int64_t sum) { return static_cast<uint8_t>(std::clamp<int64_t>(sum >> kFractionBits, 0, 255)); }

// One pass along x (each row's pixels resized to `n`) or along y (each column's).
Image resize_axis(const Image& src, int64_t n, bool along_x, ResampleFilter f) {
  const int64_t width = along_x ? n : src.width, height = along_x ? src.height : n;
  Image dst{width, height, std::vector<uint8_t>(static_cast<size_t>(width * height * 3))};
  const std::vector<Taps> taps = taps_for(along_x ? src.width : src.height, n, f);
  const int64_t stride = along_x ? 3 : src.width * 3;  // bytes from one tap to the next
  for (int64_t y = 0; y < height; ++y)
    for (int64_t x = 0; x < width; ++x) {
      const Taps& t = taps[static_cast<size_t>(along_x ? x : y)];
      const uint8_t* first = along_x ? src.pixel(t.first, y) : src.pixel(x, t.first);
      for (int c = 0; c < 3; ++c) {
        int64_t sum = int64_t{1} << (kFractionBits - 1);  // rounds the shift below to nearest
        for (size_t k = 0; k < t.weights.size(); ++k)
          sum += int64_t{first[static_cast<int64_t>(k) * stride + c]} * t.weights[k];
        dst.rgb[static_cast<size_t>((y * width + x) * 3 + c)] = to_8_bits(sum);
      }
    }
  return dst;
}

}  // namespace

Image resample(const Image& image, int64_t width, int64_t height, ResampleFilter filter) {
  Image out = width == image.width ? image : resize_axis(image, width, true, filter);
  return height == out.height ? out : resize_axis(out, height, false, filter);
}

}  // namespace lmc::models

// Image resizing as llama.cpp's mtmd (0.3.36) and Pillow do it, so that an image a vision
// tower takes at another size gives the same pixels, and so the same embeddings, as there:
// each output pixel is a weighted sum of the input pixels under a filter centered on it
// (pixel centers at i + 0.5), the filter widened by the scale when shrinking (so every input
// pixel counts: no aliasing), the weights normalized to sum to 1 and held as 22-bit fixed
// point, rows resized first and then columns, each pass rounded to 8 bits.
#pragma once
#include <cstdint>

#include "models/image/image.h"

namespace lmc::models {

// Bilinear: the triangle 1 - |x| on [-1, 1] (Gemma 3's). Bicubic: Keys' cubic with
// a = -0.5 on [-2, 2] (LLaVA's), as Pillow's, where PyTorch's uses -0.75.
enum class ResampleFilter { bilinear, bicubic };

// `image` resized to width x height (each at least 1); a side of the same size is kept as it
// is, without a pass.
Image resample(const Image& image, int64_t width, int64_t height, ResampleFilter filter);

}  // namespace lmc::models

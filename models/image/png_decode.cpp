// PNG through libpng's simplified API (png_image): no setjmp in our code, the header read
// first (png_image_begin_read_from_memory) so the size is checked before any row is
// inflated, then the pixels as 8-bit RGBA whose alpha is dropped, as llama.cpp's loader
// (stb_image asked for 3 channels) drops it rather than compositing. Palette, gray and
// 16-bit files are expanded or reduced by libpng; 16-bit data without color information is
// taken as sRGB, as it is almost always meant.
#include <png.h>

#include <memory>

#include "models/image/image_formats.h"
#include "support/error.h"

namespace lmc::models {

namespace {

// Frees what libpng holds when a check throws between the header and the pixels (libpng
// frees it itself after a failure or a finished read; freeing twice is harmless).
struct PngImageGuard {
  png_image* image;
  ~PngImageGuard() { png_image_free(image); }
};

Error png_error(const png_image& image, const std::string& source) {
  return error_at(source, std::string("corrupt PNG: ") + image.message);
}

}  // namespace

Image decode_png(std::string_view bytes, const std::string& source, const ImageLimits& limits) {
  png_image image{};
  image.version = PNG_IMAGE_VERSION;
  PngImageGuard guard{&image};
  if (!png_image_begin_read_from_memory(&image, bytes.data(), bytes.size())) throw png_error(image, source);
  check_image_size(image.width, image.height, source, limits);
  image.format = PNG_FORMAT_RGBA;
  image.flags |= PNG_IMAGE_FLAG_16BIT_sRGB;
  const size_t pixels = size_t{image.width} * image.height;
  std::unique_ptr<uint8_t[]> rgba(new uint8_t[pixels * 4]);
  if (!png_image_finish_read(&image, nullptr, rgba.get(), 0, nullptr)) throw png_error(image, source);
  Image out{image.width, image.height, std::vector<uint8_t>(pixels * 3)};
  for (size_t i = 0; i < pixels; ++i)
    for (size_t c = 0; c < 3; ++c) out.rgb[i * 3 + c] = rgba[i * 4 + c];
  return out;
}

}  // namespace lmc::models

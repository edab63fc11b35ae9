// A decoded image: 8-bit RGB, rows top to bottom, pixels left to right, channels
// interleaved (HWC), whatever the file's own color type was.
#pragma once
#include <cstdint>
#include <vector>

namespace lmc::models {

struct Image {
  int64_t width = 0;
  int64_t height = 0;
  std::vector<uint8_t> rgb;  // width * height * 3 bytes

  const uint8_t* pixel(int64_t x, int64_t y) const { return rgb.data() + (y * width + x) * 3; }
};

// What a decoder accepts, checked against the file's header before any pixel is decoded:
// a few hundred bytes of PNG or JPEG can claim a 65535 x 65535 image (12 GB of RGB), a
// decompression bomb. The defaults take any photo a camera makes (a 100-megapixel frame
// is 11648 x 8736) and bound the decoded buffer to 192 MiB.
struct ImageLimits {
  int64_t max_width = 16384;
  int64_t max_height = 16384;
  int64_t max_pixels = int64_t{1} << 26;
};

}  // namespace lmc::models

// The two decoders behind decode_image (image_decode.h), one per library. Each checks the
// header's size against the limits before it decodes a pixel, and reports what the library
// refuses as an lmc::Error naming `source`.
#pragma once
#include <string>
#include <string_view>

#include "models/image/image.h"

namespace lmc::models {

Image decode_png(std::string_view bytes, const std::string& source, const ImageLimits& limits);
Image decode_jpeg(std::string_view bytes, const std::string& source, const ImageLimits& limits);

// Throws unless width x height is positive and within `limits`.
void check_image_size(int64_t width, int64_t height, const std::string& source, const ImageLimits& limits);

}  // namespace lmc::models

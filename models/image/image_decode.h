// Reading an image: PNG or JPEG, told by its first bytes (not its name), decoded to RGB8 by
// Debian's libpng and libjpeg-turbo. Anything else is refused by name (GIF, WebP, BMP, ...);
// so are corrupt and truncated files and any image past the limits, each with an lmc::Error
// "<source>: error: ..." that names where the bytes came from (a path, later a request's
// data URI).
#pragma once
#include <string>
#include <string_view>

#include "models/image/image.h"

namespace lmc::models {

// Decodes `bytes`; `source` names them in errors.
Image decode_image(std::string_view bytes, const std::string& source, const ImageLimits& limits = {});

// The regular file at `path`, decoded.
Image read_image_file(const std::string& path, const ImageLimits& limits = {});

}  // namespace lmc::models

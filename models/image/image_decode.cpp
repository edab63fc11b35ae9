#include "models/image/image_decode.h"

#include <string>

#include "models/image/image_formats.h"
#include "support/error.h"
#include "support/regular_file.h"

namespace lmc::models {

namespace {

// Whether `magic` is at `offset` of `bytes` (false for bytes too short to hold it).
bool has_at(std::string_view bytes, size_t offset, std::string_view magic) {
  return bytes.size() >= offset + magic.size() && bytes.substr(offset, magic.size()) == magic;
}

bool starts_with(std::string_view bytes, std::string_view magic) { return has_at(bytes, 0, magic); }

// The formats a user may well send that lmc does not read, named so the refusal says what
// the file is rather than only what it is not.
std::string other_format(std::string_view bytes) {
  if (starts_with(bytes, "GIF87a") || starts_with(bytes, "GIF89a")) return "a GIF image";
  if (starts_with(bytes, "RIFF") && has_at(bytes, 8, "WEBP")) return "a WebP image";
  if (has_at(bytes, 4, "ftypavif")) return "an AVIF image";
  if (has_at(bytes, 4, "ftypheic") || has_at(bytes, 4, "ftypmif1")) return "a HEIF image";
  if (starts_with(bytes, std::string_view("II*\0", 4)) || starts_with(bytes, std::string_view("MM\0*", 4)))
    return "a TIFF image";
  if (starts_with(bytes, "BM")) return "a BMP image";
  return "";
}

}  // namespace

void check_image_size(int64_t width, int64_t height, const std::string& source, const ImageLimits& limits) {
  auto size = std::to_string(width) + " x " + std::to_string(height);
  if (width <= 0 || height <= 0) throw error_at(source, "image size " + size + " is empty");
  if (width > limits.max_width || height > limits.max_height)
    throw error_at(source, "image size " + size + " is past the limit of " + std::to_string(limits.max_width) + " x " +
                               std::to_string(limits.max_height));
  // Both are at most the side limits, so the product cannot overflow int64.
  if (width * height > limits.max_pixels)
    throw error_at(
        source, "image size " + size + " has more than the limit of " + std::to_string(limits.max_pixels) + " pixels");
}

Image decode_image(std::string_view bytes, const std::string& source, const ImageLimits& limits) {
  if (bytes.empty()) throw error_at(source, "the image is empty");
  if (starts_with(bytes, "\x89PNG\r\n\x1a\n")) return decode_png(bytes, source, limits);
  if (starts_with(bytes, "\xff\xd8\xff")) return decode_jpeg(bytes, source, limits);
  std::string other = other_format(bytes);
  throw error_at(source, (other.empty() ? "not a PNG or JPEG image" : other + ", not PNG or JPEG") +
                             " (the image formats lmc reads)");
}

Image read_image_file(const std::string& path, const ImageLimits& limits) {
  return decode_image(read_regular_file(path), path, limits);
}

}  // namespace lmc::models

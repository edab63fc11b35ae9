// JPEG through libjpeg-turbo's TurboJPEG API, which keeps libjpeg's longjmp error handling
// inside the library. The header is read first (tjDecompressHeader3), so the size is
// checked before any scan is decoded; warnings stop the decode (TJFLAG_STOPONWARNING), since
// libjpeg reports data that ends early as a warning and fills the rest with gray; and a
// progressive file may have at most libjpeg-turbo's 500 scans (TJFLAG_LIMITSCANS), the
// other way a small file costs unbounded time. CMYK files are refused by the library.
#include <turbojpeg.h>

#include "models/image/image_formats.h"
#include "support/error.h"

namespace lmc::models {

namespace {

struct TurboJpegHandle {
  tjhandle handle = tjInitDecompress();
  ~TurboJpegHandle() {
    if (handle) tjDestroy(handle);
  }
};

Error jpeg_error(tjhandle handle, const std::string& source) {
  return error_at(source, std::string("corrupt JPEG: ") + tjGetErrorStr2(handle));
}

}  // namespace

Image decode_jpeg(std::string_view bytes, const std::string& source, const ImageLimits& limits) {
  TurboJpegHandle tj;
  if (!tj.handle) throw error_at(source, std::string("cannot start the JPEG decoder: ") + tjGetErrorStr2(nullptr));
  auto* data = reinterpret_cast<const unsigned char*>(bytes.data());
  int width = 0, height = 0, subsampling = 0, colorspace = 0;
  if (tjDecompressHeader3(tj.handle, data, bytes.size(), &width, &height, &subsampling, &colorspace) != 0)
    throw jpeg_error(tj.handle, source);
  // libjpeg-turbo 2.1 answers a header cut before its frame with success and no size.
  if (width == 0 || height == 0) throw error_at(source, "corrupt JPEG: it ends before its frame header");
  check_image_size(width, height, source, limits);
  Image out{width, height, std::vector<uint8_t>(size_t(width) * size_t(height) * 3)};
  if (tjDecompress2(tj.handle, data, bytes.size(), out.rgb.data(), width, 0, height, TJPF_RGB,
                    TJFLAG_STOPONWARNING | TJFLAG_LIMITSCANS) != 0)
    throw jpeg_error(tj.handle, source);
  return out;
}

}  // namespace lmc::models

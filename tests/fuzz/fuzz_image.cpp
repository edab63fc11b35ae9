// Images, as lmc run --image and lmc serve's image parts will read them: the format sniff,
// libpng's and libjpeg-turbo's decoders behind lmc's size limits (small ones here, so a
// mutated header's big claim is refused rather than decoded slowly), and a decoded image
// fitted into a vision tower's square and normalized.
#include <cstdint>

#include "models/image/image_decode.h"
#include "models/image/vision_preprocess.h"
#include "support/error.h"
#include "tests/fuzz/fuzz_input.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const lmc::models::ImageLimits limits{2048, 2048, int64_t{1} << 20};
  try {
    lmc::models::Image image = lmc::models::decode_image(lmc::fuzz::as_text(data, size), "fuzz.img", limits);
    lmc::models::normalize_chw(lmc::models::fit_to_square(image, 16),
                               lmc::models::PixelNormalization{{0.5f, 0.5f, 0.5f}, {0.5f, 0.5f, 0.5f}});
  } catch (const lmc::Error&) {
  }
  return 0;
}

// The square fit a vision tower takes (models/image/vision_preprocess.h), for
// test_resample_matches_pillow.py: reads an image file and writes the fitted image's RGB bytes
// to stdout.
//
//   image_fit FILE SIZE bilinear|bicubic R G B
#include <array>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "models/image/image_decode.h"
#include "models/image/vision_preprocess.h"
#include "support/error.h"

int main(int argc, char** argv) {
  if (argc != 7) {
    std::fprintf(stderr, "usage: image_fit FILE SIZE bilinear|bicubic R G B\n");
    return 2;
  }
  try {
    const std::string filter = argv[3];
    const auto f = filter == "bicubic" ? lmc::models::ResampleFilter::bicubic : lmc::models::ResampleFilter::bilinear;
    const std::array<uint8_t, 3> pad = {static_cast<uint8_t>(std::atoi(argv[4])),
                                        static_cast<uint8_t>(std::atoi(argv[5])),
                                        static_cast<uint8_t>(std::atoi(argv[6]))};
    const lmc::models::Image out =
        lmc::models::fit_to_square(lmc::models::read_image_file(argv[1]), std::atoll(argv[2]), pad, f);
    std::fwrite(out.rgb.data(), 1, out.rgb.size(), stdout);
    return 0;
  } catch (const lmc::Error& e) {
    std::fprintf(stderr, "image_fit: %s\n", e.what());
    return 1;
  }
}

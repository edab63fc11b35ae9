// The preprocessing a vision tower takes (models/image/vision_preprocess.h): hand-computed
// small cases (the square fit, the patches' rows too), and the normalization against numpy's
// float32 reference (vision_preprocess_reference.py prints the array below). The fit's
// resampling is checked against Pillow's (test_resample_matches_pillow.py).
#include <gtest/gtest.h>

#include <vector>

#include "models/image/vision_preprocess.h"

namespace lmc::models {
namespace {

// Pixel (x, y) channel c is (x * 37 + y * 91 + c * 53) mod 256, as the reference's.
Image pattern(int64_t w, int64_t h) {
  Image img{w, h, std::vector<uint8_t>(size_t(w * h * 3))};
  for (int64_t y = 0; y < h; ++y)
    for (int64_t x = 0; x < w; ++x)
      for (int64_t c = 0; c < 3; ++c) img.rgb[size_t((y * w + x) * 3 + c)] = uint8_t((x * 37 + y * 91 + c * 53) % 256);
  return img;
}

const PixelNormalization kClip{{0.48145466f, 0.4578275f, 0.40821073f}, {0.26862954f, 0.26130258f, 0.27577711f}};

// 2 x 1 into 4: scaled by 2 to 4 x 2 with the bilinear filter on pixel centers (target 1
// at source 0.75: 3/4 of pixel 0 and 1/4 of pixel 1, rounded; targets 0 and 3 at 0.25 and
// 1.75 take their nearest pixel alone), the two rows placed at row 1 of 4, black above and below.
TEST(VisionPreprocess, FitByHand) {
  Image two{2, 1, {0, 10, 20, 255, 250, 245}};
  Image out = fit_to_square(two, 4);
  ASSERT_EQ(out.width, 4);
  ASSERT_EQ(out.height, 4);
  const std::vector<uint8_t> row = {0, 10, 20, 64, 70, 76, 191, 190, 189, 255, 250, 245};
  const std::vector<uint8_t> black(12, 0);
  EXPECT_EQ(std::vector<uint8_t>(out.rgb.begin(), out.rgb.begin() + 12), black);
  EXPECT_EQ(std::vector<uint8_t>(out.rgb.begin() + 12, out.rgb.begin() + 24), row);
  EXPECT_EQ(std::vector<uint8_t>(out.rgb.begin() + 24, out.rgb.begin() + 36), row);
  EXPECT_EQ(std::vector<uint8_t>(out.rgb.begin() + 36, out.rgb.end()), black);
}

TEST(VisionPreprocess, SquareOfTheSizeIsUnchanged) {
  Image img = pattern(5, 5);
  EXPECT_EQ(fit_to_square(img, 5).rgb, img.rgb);
}

// (v / 255 - mean) / std, by hand: 255 -> 1, 0 -> -1, 51 -> -0.6 at mean and std 0.5; and
// channel-major: the second pixel's red right after the first's.
TEST(VisionPreprocess, NormalizeByHand) {
  Image img{2, 1, {255, 0, 51, 0, 255, 255}};
  std::vector<float> chw = normalize_chw(img, PixelNormalization{{0.5f, 0.5f, 0.5f}, {0.5f, 0.5f, 0.5f}});
  const std::vector<float> want = {1, -1, -1, 1, -0.6f, 1};
  ASSERT_EQ(chw.size(), want.size());
  for (size_t i = 0; i < want.size(); ++i) EXPECT_FLOAT_EQ(chw[i], want[i]) << i;
}

TEST(VisionPreprocess, NormalizeMatchesNumpy) {
  const std::vector<float> want = {
      -1.79226255f,  -1.25212073f,  -0.711978912f, -0.171837196f, -0.463805705f, 0.0763361454f, 0.616477847f,
      1.15661955f,   0.864651084f,  1.40479279f,   -1.79226255f,  -1.25212073f,  -1.54408932f,  -1.0039475f,
      -0.463805705f, 0.0763361454f, -0.956685364f, -0.401397943f, 0.153889433f,  0.709176898f,  0.409021586f,
      0.964308977f,  1.51959634f,   2.0748837f,    1.77472842f,   -1.51197278f,  -0.956685364f, -0.401397943f,
      -0.701553285f, -0.146265909f, 0.409021586f,  0.964308977f,  0.027107235f,  0.553249776f,  1.07939219f,
      1.60553455f,   1.32113326f,   1.84727585f,   -1.26691878f,  -0.74077636f,  -1.0251776f,   -0.49903518f,
      0.027107235f,  0.553249776f,  0.26884836f,   0.794990897f,  1.32113326f,   1.84727585f};
  std::vector<float> chw = normalize_chw(pattern(4, 4), kClip);
  ASSERT_EQ(chw.size(), want.size());
  for (size_t i = 0; i < want.size(); ++i) EXPECT_NEAR(chw[i], want[i], 1e-6f) << i;
}

// A 4 x 4 image in 2 x 2 patches: value c * 100 + y * 10 + x at channel c, pixel (x, y).
// Patch (px, py) is row py * 2 + px: its channels in turn, each its two rows of two.
TEST(VisionPreprocess, PatchRowsByHand) {
  std::vector<float> chw(3 * 4 * 4);
  for (int c = 0; c < 3; ++c)
    for (int y = 0; y < 4; ++y)
      for (int x = 0; x < 4; ++x) chw[size_t((c * 4 + y) * 4 + x)] = float(c * 100 + y * 10 + x);
  std::vector<float> rows = patch_rows(chw, 4, 2);
  ASSERT_EQ(rows.size(), size_t(4 * 12));
  const std::vector<float> patch_1_0 = {2, 3, 12, 13, 102, 103, 112, 113, 202, 203, 212, 213};
  const std::vector<float> patch_0_1 = {20, 21, 30, 31, 120, 121, 130, 131, 220, 221, 230, 231};
  EXPECT_EQ(std::vector<float>(rows.begin() + 12, rows.begin() + 24), patch_1_0);
  EXPECT_EQ(std::vector<float>(rows.begin() + 24, rows.begin() + 36), patch_0_1);
  EXPECT_EQ(rows[47], 233.0f);
}

// CLIP's class row: two rows of two values, the class row between them; each row one
// column wider, the class row's last value 1 and every other row's 0.
TEST(VisionPreprocess, ClassRowByHand) {
  const std::vector<float> rows = {1, 2, 3, 4};
  EXPECT_EQ(with_class_row(rows, 2, 1), (std::vector<float>{1, 2, 0, 0, 0, 1, 3, 4, 0}));
  EXPECT_EQ(with_class_row(rows, 2, 2), (std::vector<float>{1, 2, 0, 3, 4, 0, 0, 0, 1}));
}

// An image fitted into a larger square lies on the pad color (LLaVA's gray), not black.
TEST(VisionPreprocess, FitPadsWithTheGivenColor) {
  const Image one{1, 1, {9, 9, 9}};
  const Image out = fit_to_square(Image{2, 1, {9, 9, 9, 9, 9, 9}}, 2, {122, 116, 104});
  EXPECT_EQ(std::vector<uint8_t>(out.rgb.begin(), out.rgb.begin() + 6), (std::vector<uint8_t>{9, 9, 9, 9, 9, 9}));
  EXPECT_EQ(std::vector<uint8_t>(out.rgb.begin() + 6, out.rgb.end()),
            (std::vector<uint8_t>{122, 116, 104, 122, 116, 104}));
  EXPECT_EQ(fit_to_square(one, 1, {1, 2, 3}).rgb, one.rgb);
}

}  // namespace
}  // namespace lmc::models

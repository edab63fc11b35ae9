// The preprocessing a vision tower takes (models/image/vision_preprocess.h): hand-computed
// small cases (the patches' rows too), and the square fit and normalization against numpy's float32 reference
// (vision_preprocess_reference.py prints the arrays below).
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

// 2 x 1 into 4: scaled by 2 to 4 x 2, corners aligned (source 0 and 1 at target 0 and 3),
// the two rows placed at row 1 of 4, black above and below.
TEST(VisionPreprocess, FitByHand) {
  Image two{2, 1, {0, 10, 20, 255, 250, 245}};
  Image out = fit_to_square(two, 4);
  ASSERT_EQ(out.width, 4);
  ASSERT_EQ(out.height, 4);
  const std::vector<uint8_t> row = {0, 10, 20, 85, 90, 95, 170, 170, 170, 255, 250, 245};
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

TEST(VisionPreprocess, FitMatchesNumpy) {
  EXPECT_EQ(
      fit_to_square(pattern(7, 3), 6).rgb,
      std::vector<uint8_t>({0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,
                            0,   53,  106, 44,  97,  150, 88,  141, 194, 133, 186, 239, 177, 230, 78,  222, 19,  72,
                            91,  144, 197, 135, 188, 190, 179, 232, 29,  224, 123, 74,  63,  65,  118, 57,  110, 163,
                            182, 235, 32,  175, 23,  76,  14,  67,  120, 59,  112, 165, 103, 156, 209, 148, 201, 254,
                            0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,
                            0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0,   0}));
  EXPECT_EQ(fit_to_square(pattern(2, 5), 8).rgb,
            std::vector<uint8_t>(
                {0, 0, 0, 0, 0, 0, 0,   53,  106, 12,  65,  118, 24,  77,  130, 37,  90,  143, 0, 0, 0, 0, 0, 0,
                 0, 0, 0, 0, 0, 0, 52,  105, 158, 64,  117, 170, 76,  129, 182, 89,  142, 195, 0, 0, 0, 0, 0, 0,
                 0, 0, 0, 0, 0, 0, 104, 157, 173, 116, 157, 185, 128, 157, 198, 141, 157, 210, 0, 0, 0, 0, 0, 0,
                 0, 0, 0, 0, 0, 0, 156, 209, 79,  168, 160, 91,  180, 111, 103, 193, 63,  116, 0, 0, 0, 0, 0, 0,
                 0, 0, 0, 0, 0, 0, 134, 187, 58,  147, 139, 70,  159, 90,  82,  171, 42,  95,  0, 0, 0, 0, 0, 0,
                 0, 0, 0, 0, 0, 0, 40,  93,  110, 52,  93,  122, 65,  93,  134, 77,  94,  147, 0, 0, 0, 0, 0, 0,
                 0, 0, 0, 0, 0, 0, 56,  109, 162, 68,  121, 174, 80,  133, 186, 93,  146, 199, 0, 0, 0, 0, 0, 0,
                 0, 0, 0, 0, 0, 0, 108, 161, 214, 120, 173, 226, 132, 185, 238, 145, 198, 251, 0, 0, 0, 0, 0, 0}));
  EXPECT_EQ(fit_to_square(pattern(13, 11), 4).rgb,
            std::vector<uint8_t>({0,   53,  106, 148, 201, 254, 40,  93, 146, 188, 241, 38,  47,  100, 153, 110,
                                  163, 45,  87,  140, 193, 150, 32,  85, 94,  147, 200, 72,  125, 92,  134, 187,
                                  70,  112, 79,  132, 142, 195, 248, 34, 87,  140, 182, 235, 32,  74,  127, 180}));
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
      -1.79226255f,  0.36830464f,   -1.20832551f,  0.952241659f, -1.10613656f,  -0.186435625f, -0.522199392f,
      0.397501498f,  -0.420010418f, -0.741175771f, 0.163926691f, -0.157238767f, 0.280714095f,  -1.29591608f,
      0.864651084f,  -0.711978912f, -0.956685364f, 1.26446426f,  -0.356374651f, 1.86477494f,   -0.251320273f,
      0.694169164f,  0.34899053f,   -1.27184856f,  0.454044878f, 0.123873897f,  1.05435562f,   -0.566483378f,
      1.17441773f,   -0.446421236f, 1.77472842f,   0.153889433f, 0.027107235f,  2.13167715f,   0.595909953f,
      -0.939857185f, 0.695450425f,  -0.840316772f, 1.26425302f,  -0.271514148f, 1.36379349f,   -0.171973675f,
      -0.484815121f, 0.396829039f,  2.04635668f,   0.51058954f,  -1.0251776f,   1.07939219f};
  std::vector<float> chw = normalize_chw(fit_to_square(pattern(13, 11), 4), kClip);
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

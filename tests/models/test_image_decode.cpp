// Images in (models/image/image_decode.h): PNG and JPEG files written here by libpng's and
// libjpeg-turbo's encoders, decoded back; every color type lands as RGB8; other formats,
// corrupt and truncated files and sizes past the limits are refused, naming the source.
#include <gtest/gtest.h>
#include <png.h>
#include <turbojpeg.h>

#include <cstdlib>
#include <string>
#include <vector>

#include "models/image/image_decode.h"
#include "tests/models/expect_error.h"
#include "tests/models/temp_dir.h"

namespace lmc::models {
namespace {

using test::expect_error;

// A w x h image of `channels` (1 gray, 2 gray+alpha, 3 RGB, 4 RGBA) whose every byte
// differs from its neighbors.
std::vector<uint8_t> pattern(int w, int h, int channels) {
  std::vector<uint8_t> px(size_t(w * h * channels));
  for (size_t i = 0; i < px.size(); ++i) px[i] = uint8_t(i * 37 + 11);
  return px;
}

std::string png_bytes(int w, int h, uint32_t format, const std::vector<uint8_t>& px) {
  png_image image{};
  image.version = PNG_IMAGE_VERSION;
  image.width = uint32_t(w);
  image.height = uint32_t(h);
  image.format = format;
  png_alloc_size_t size = 0;
  EXPECT_TRUE(png_image_write_get_memory_size(image, size, 0, px.data(), 0, nullptr));
  std::string out(size, '\0');
  EXPECT_TRUE(png_image_write_to_memory(&image, out.data(), &size, 0, px.data(), 0, nullptr)) << image.message;
  out.resize(size);
  return out;
}

std::string jpeg_bytes(int w, int h, int pixel_format, int subsampling, const std::vector<uint8_t>& px, int flags = 0) {
  tjhandle tj = tjInitCompress();
  unsigned char* buf = nullptr;
  unsigned long size = 0;
  EXPECT_EQ(tjCompress2(tj, px.data(), w, 0, h, pixel_format, &buf, &size, subsampling, 100, flags), 0)
      << tjGetErrorStr2(tj);
  std::string out(reinterpret_cast<char*>(buf), size);
  tjFree(buf);
  tjDestroy(tj);
  return out;
}

// A smooth RGB gradient: what JPEG keeps within a few levels at quality 100.
std::vector<uint8_t> gradient(int w, int h) {
  std::vector<uint8_t> px(size_t(w * h * 3));
  for (int y = 0; y < h; ++y)
    for (int x = 0; x < w; ++x)
      for (int c = 0; c < 3; ++c) px[size_t((y * w + x) * 3 + c)] = uint8_t(40 + 6 * x + 5 * y + 30 * c);
  return px;
}

TEST(ImageDecode, PngRgbIsExact) {
  auto px = pattern(5, 3, 3);
  Image img = decode_image(png_bytes(5, 3, PNG_FORMAT_RGB, px), "a.png");
  EXPECT_EQ(img.width, 5);
  EXPECT_EQ(img.height, 3);
  EXPECT_EQ(img.rgb, px);
}

TEST(ImageDecode, PngGrayBecomesThreeEqualChannels) {
  auto px = pattern(4, 2, 1);
  Image img = decode_image(png_bytes(4, 2, PNG_FORMAT_GRAY, px), "g.png");
  ASSERT_EQ(img.rgb.size(), 4u * 2 * 3);
  for (size_t i = 0; i < px.size(); ++i)
    for (size_t c = 0; c < 3; ++c) EXPECT_EQ(img.rgb[i * 3 + c], px[i]) << i;
}

// Alpha is dropped, not composited, as llama.cpp's loader drops it: a transparent pixel
// keeps its color.
TEST(ImageDecode, PngAlphaIsDropped) {
  auto px = pattern(3, 3, 4);
  for (size_t i = 3; i < px.size(); i += 4) px[i] = uint8_t(i % 3 == 0 ? 0 : 128);
  Image img = decode_image(png_bytes(3, 3, PNG_FORMAT_RGBA, px), "t.png");
  for (size_t i = 0; i < 9; ++i)
    for (size_t c = 0; c < 3; ++c) EXPECT_EQ(img.rgb[i * 3 + c], px[i * 4 + c]) << i;
  auto ga = pattern(2, 2, 2);
  Image gray = decode_image(png_bytes(2, 2, PNG_FORMAT_GA, ga), "ga.png");
  for (size_t i = 0; i < 4; ++i) EXPECT_EQ(gray.rgb[i * 3 + 1], ga[i * 2]) << i;
}

TEST(ImageDecode, JpegIsCloseToItsSource) {
  for (int subsampling : {TJSAMP_444, TJSAMP_420}) {
    for (int flags : {0, TJFLAG_PROGRESSIVE}) {
      auto px = gradient(16, 12);
      Image img = decode_image(jpeg_bytes(16, 12, TJPF_RGB, subsampling, px, flags), "p.jpg");
      ASSERT_EQ(img.width, 16);
      ASSERT_EQ(img.height, 12);
      for (size_t i = 0; i < px.size(); ++i) EXPECT_NEAR(img.rgb[i], px[i], 4) << i << " subsampling " << subsampling;
    }
  }
}

TEST(ImageDecode, JpegGrayBecomesThreeEqualChannels) {
  std::vector<uint8_t> px(8 * 8);
  for (size_t i = 0; i < px.size(); ++i) px[i] = uint8_t(100 + i);
  Image img = decode_image(jpeg_bytes(8, 8, TJPF_GRAY, TJSAMP_GRAY, px), "g.jpg");
  for (size_t i = 0; i < px.size(); ++i) {
    EXPECT_NEAR(img.rgb[i * 3], px[i], 3) << i;
    EXPECT_EQ(img.rgb[i * 3], img.rgb[i * 3 + 1]);
    EXPECT_EQ(img.rgb[i * 3], img.rgb[i * 3 + 2]);
  }
}

TEST(ImageDecode, OtherFormatsAreRefusedByName) {
  expect_error([] { decode_image("GIF89a\1\0\1\0", "x.gif"); }, {"x.gif: error: a GIF image, not PNG or JPEG"});
  expect_error([] { decode_image(std::string("RIFF\0\0\0\0WEBPVP8 ", 16), "w"); }, {"w: error: a WebP image"});
  expect_error([] { decode_image("BM\0\0", "b"); }, {"b: error: a BMP image"});
  expect_error([] { decode_image("RIFF", "r"); }, {"r: error: not a PNG or JPEG image"});
  expect_error([] { decode_image("hello, world", "h.png"); }, {"h.png: error: not a PNG or JPEG image"});
  expect_error([] { decode_image("", "e.jpg"); }, {"e.jpg: error: the image is empty"});
}

TEST(ImageDecode, TruncatedFilesAreRefused) {
  const std::string png = png_bytes(32, 32, PNG_FORMAT_RGB, pattern(32, 32, 3));
  const std::string jpeg = jpeg_bytes(32, 32, TJPF_RGB, TJSAMP_420, gradient(32, 32));
  for (size_t keep : {size_t(8), size_t(20), size_t(40), png.size() / 2, png.size() - 13})
    expect_error([&] { decode_image(png.substr(0, keep), "cut.png"); }, {"cut.png: error: corrupt PNG: "});
  for (size_t keep : {size_t(3), size_t(40), jpeg.size() / 2, jpeg.size() - 2})
    expect_error([&] { decode_image(jpeg.substr(0, keep), "cut.jpg"); }, {"cut.jpg: error: corrupt JPEG: "});
}

// A flipped byte in the image data fails the chunk's CRC.
TEST(ImageDecode, CorruptPngIsRefused) {
  std::string png = png_bytes(16, 16, PNG_FORMAT_RGB, pattern(16, 16, 3));
  const size_t idat = png.find("IDAT");
  ASSERT_NE(idat, std::string::npos);
  png[idat + 10] = char(png[idat + 10] ^ 0x5a);
  expect_error([&] { decode_image(png, "flip.png"); }, {"flip.png: error: corrupt PNG: "});
}

// Sizes are checked from the header, before the pixels: a JPEG whose frame header claims
// 60000 x 60000 is refused though its data is for 16 x 16.
TEST(ImageDecode, SizesPastTheLimitsAreRefusedFromTheHeader) {
  std::string jpeg = jpeg_bytes(16, 16, TJPF_RGB, TJSAMP_444, gradient(16, 16));
  const size_t sof = jpeg.find("\xff\xc0");
  ASSERT_NE(sof, std::string::npos);
  for (size_t at : {sof + 5, sof + 7}) {
    jpeg[at] = char(0xea);
    jpeg[at + 1] = char(0x60);
  }
  expect_error([&] { decode_image(jpeg, "bomb.jpg"); },
               {"bomb.jpg: error: image size 60000 x 60000 is past the limit of 16384 x 16384"});
  const std::string png = png_bytes(64, 40, PNG_FORMAT_RGB, pattern(64, 40, 3));
  expect_error([&] { decode_image(png, "big.png", ImageLimits{32, 100, 1000000}); },
               {"big.png: error: image size 64 x 40 is past the limit of 32 x 100"});
  expect_error([&] { decode_image(png, "many.png", ImageLimits{100, 100, 2000}); },
               {"many.png: error: image size 64 x 40 has more than the limit of 2000 pixels"});
  EXPECT_EQ(decode_image(png, "ok.png", ImageLimits{64, 40, 2560}).width, 64);
}

TEST(ImageDecode, FilesAreReadByPath) {
  test::TempDir dir;
  const auto px = pattern(2, 2, 3);
  const std::string png = png_bytes(2, 2, PNG_FORMAT_RGB, px);
  test::write_bytes(dir.file("cat.png"), png.data(), png.size());
  EXPECT_EQ(read_image_file(dir.file("cat.png")).rgb, px);
  expect_error([&] { read_image_file(dir.file("none.png")); }, {"none.png"});
}

}  // namespace
}  // namespace lmc::models

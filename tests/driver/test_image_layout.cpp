// A vision definition's image parameters (driver/image_layout.h): read as given, defaults
// where absent, and a value out of range refused naming the definition.
#include <gtest/gtest.h>

#include "driver/image_layout.h"
#include "support/error.h"

namespace lmc::driver {
namespace {

ir::ModelInfo with(std::vector<std::pair<std::string, std::string>> hyper) {
  ir::ModelInfo info;
  info.hyper = std::move(hyper);
  return info;
}

TEST(ImageLayout, ReadsTheParametersGiven) {
  const ImageLayout l = image_layout(with({{"image_pad", "[122, 116, 104]"},
                                           {"image_resample", "bicubic"},
                                           {"class_row", "4"},
                                           {"image_begin", "<i>"}}),
                                     5, "tower.yaml");
  EXPECT_EQ(l.pad, (std::array<uint8_t, 3>{122, 116, 104}));
  EXPECT_EQ(l.resample, models::ResampleFilter::bicubic);
  EXPECT_EQ(l.class_row, 4);
  EXPECT_EQ(l.begin, "<i>");
}

TEST(ImageLayout, DefaultsToBilinearOnBlack) {
  const ImageLayout l = image_layout(with({}), 5, "tower.yaml");
  EXPECT_EQ(l.resample, models::ResampleFilter::bilinear);
  EXPECT_EQ(l.pad, (std::array<uint8_t, 3>{0, 0, 0}));
  EXPECT_FALSE(l.class_row);
}

TEST(ImageLayout, RefusesAValueOutOfRangeNamingTheDefinition) {
  for (const auto& bad : std::vector<std::pair<std::string, std::string>>{
           {"image_resample", "lanczos"}, {"image_pad", "[0, 300, 0]"}, {"class_row", "5"}}) {
    try {
      image_layout(with({bad}), 5, "tower.yaml");
      ADD_FAILURE() << bad.first << " = " << bad.second << " was taken";
    } catch (const Error& e) {
      EXPECT_NE(std::string(e.what()).find("tower.yaml"), std::string::npos) << e.what();
      EXPECT_NE(std::string(e.what()).find(bad.first), std::string::npos) << e.what();
    }
  }
}

}  // namespace
}  // namespace lmc::driver

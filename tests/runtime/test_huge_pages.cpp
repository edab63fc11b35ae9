// huge_page_vector: value-initialized storage whose mapping asked for transparent huge pages
// before it was touched (the kernel says so in /proc/self/smaps' THPeligible).
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <fstream>
#include <sstream>
#include <string>

#include "support/huge_pages.h"

namespace lmc {
namespace {

// Whether the kernel offers huge pages to mappings that ask ([always] or [madvise]).
bool huge_pages_offered() {
  std::ifstream f("/sys/kernel/mm/transparent_hugepage/enabled");
  std::string modes;
  std::getline(f, modes);
  return modes.find("[always]") != std::string::npos || modes.find("[madvise]") != std::string::npos;
}

// The THPeligible field of the mapping that holds `p`, or -1.
int thp_eligible(const void* p) {
  const auto at = reinterpret_cast<uintptr_t>(p);
  std::ifstream smaps("/proc/self/smaps");
  bool inside = false;
  for (std::string line; std::getline(smaps, line);) {
    uintptr_t lo = 0, hi = 0;
    char dash = 0;
    std::istringstream range(line);
    if (range >> std::hex >> lo >> dash >> hi && dash == '-' && line.find(':') > line.find(' ')) {
      inside = lo <= at && at < hi;
      continue;
    }
    if (inside && line.rfind("THPeligible:", 0) == 0) return std::stoi(line.substr(12));
  }
  return -1;
}

TEST(HugePages, VectorIsValueInitializedAndAdvised) {
  constexpr size_t kFloats = size_t{16} << 20 >> 2;  // 16 MiB: whole huge pages inside it
  const auto v = huge_page_vector<float>(kFloats);
  ASSERT_EQ(v.size(), kFloats);
  EXPECT_TRUE(std::all_of(v.begin(), v.end(), [](float x) { return x == 0.0f; }));
  if (!huge_pages_offered()) GTEST_SKIP() << "this kernel offers no transparent huge pages";
  EXPECT_EQ(thp_eligible(v.data() + kFloats / 2), 1);
}

// A range holding no whole huge page is left as it is; so is an empty one.
TEST(HugePages, SmallAndEmptyRangesAreLeftAlone) {
  std::vector<uint8_t> small(4096, 7);
  advise_huge_pages(small.data() + 1, small.size() - 1);
  advise_huge_pages(nullptr, 0);
  EXPECT_TRUE(std::all_of(small.begin(), small.end(), [](uint8_t b) { return b == 7; }));
  EXPECT_TRUE(huge_page_vector<int>(0).empty());
}

}  // namespace
}  // namespace lmc

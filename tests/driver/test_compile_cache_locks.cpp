// The compile cache's lock files: none outlives its use. A lock no process holds (its
// holder was killed outright) goes when the cache is opened, a held one stays; neither is
// listed; clear() empties entries whose locks were removed with their release.
#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "../runtime/temp_dir.h"
#include "driver/compile_cache.h"
#include "support/file_lock.h"

namespace lmc::driver {
namespace {

namespace fs = std::filesystem;
using runtime::testing::TempDir;

class CompileCacheLocks : public ::testing::Test {
 protected:
  void SetUp() override { ::setenv("LMC_KEY_FILE", dir.file("artifact.key").c_str(), 1); }
  std::string cached(const std::string& name) const { return dir.file("cache/" + name); }
  void make(const std::string& name, const std::string& bytes = "") const {
    fs::create_directories(dir.file("cache"));
    std::ofstream(cached(name)) << bytes;
  }
  TempDir dir;
};

TEST_F(CompileCacheLocks, AnUnheldLockGoesWhenTheCacheOpensAHeldOneStays) {
  make("0123456789abcdef.lock");  // its holder was killed
  make("fedcba9876543210.lock");
  FileLock held(cached("fedcba9876543210.lock"));
  CompileCache cache(dir.file("cache"), UINT64_MAX, 0);
  EXPECT_FALSE(fs::exists(cached("0123456789abcdef.lock")));
  EXPECT_TRUE(fs::exists(cached("fedcba9876543210.lock")));
  EXPECT_TRUE(cache.list().empty());
  EXPECT_TRUE(cache.being_written().empty());
}

TEST_F(CompileCacheLocks, ClearEmptiesEntriesButOnesHeld) {
  make("0123456789abcdef.lmc", "an artifact");
  make("0123456789abcdef.txt", "model\nsettings\n");
  make("fedcba9876543210.lmc", "another");
  FileLock held(cached("fedcba9876543210.lock"));  // being opened by another process
  CompileCache cache(dir.file("cache"), UINT64_MAX, 0);
  ASSERT_EQ(cache.list().size(), 2u);
  EXPECT_EQ(cache.clear(), 11u + 15u);
  ASSERT_EQ(cache.list().size(), 1u);
  EXPECT_EQ(cache.list()[0].key, "fedcba9876543210");
  EXPECT_FALSE(fs::exists(cached("0123456789abcdef.lock")));
}

}  // namespace
}  // namespace lmc::driver

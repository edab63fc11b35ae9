#include "driver/kernel_object_cache.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "../runtime/temp_dir.h"

namespace lmc::driver {
namespace {

namespace fs = std::filesystem;
using runtime::testing::TempDir;

class KernelObjectCacheTest : public ::testing::Test {
 protected:
  // Entries are sealed under the user's key: a key of the test's own.
  void SetUp() override { ::setenv("LMC_KEY_FILE", dir.file("artifact.key").c_str(), 1); }
  std::string entry(const std::string& key) const { return dir.file("kernels/" + key + ".o"); }
  TempDir dir;
  KernelObjectCache cache{dir.file("kernels")};
};

std::vector<codegen::KernelEntry> kernels(const std::string& second_key) {
  return {{"k_linear_1", "linear K=64 N=16 w=q8_0", {}}, {"k_rms_norm_2", second_key, {}}};
}

TEST_F(KernelObjectCacheTest, AStoredObjectIsFoundUnderItsKey) {
  const std::string key = KernelObjectCache::key(kernels("rms_norm D=64"), codegen::baseline_target());
  EXPECT_FALSE(cache.find(key));
  cache.store(key,
              "\x7f"
              "ELF object bytes");
  ASSERT_TRUE(cache.find(key));
  EXPECT_EQ(*cache.find(key),
            "\x7f"
            "ELF object bytes");
  EXPECT_FALSE(KernelObjectCache(dir.file("other")).find(key));
}

TEST_F(KernelObjectCacheTest, TheKeyNamesEveryKernelItsOrderAndTheTarget) {
  const codegen::TargetSpec base = codegen::baseline_target();
  const std::string key = KernelObjectCache::key(kernels("rms_norm D=64"), base);
  EXPECT_EQ(KernelObjectCache::key(kernels("rms_norm D=64"), base), key);
  EXPECT_NE(KernelObjectCache::key(kernels("rms_norm D=128"), base), key);
  auto swapped = kernels("rms_norm D=64");
  std::swap(swapped[0], swapped[1]);
  EXPECT_NE(KernelObjectCache::key(swapped, base), key);
  codegen::TargetSpec wider = base;
  wider.features += ",+avx512f";
  EXPECT_NE(KernelObjectCache::key(kernels("rms_norm D=64"), wider), key);
}

TEST_F(KernelObjectCacheTest, ADamagedEntryIsAMissAndIsRemoved) {
  const std::string key = KernelObjectCache::key(kernels("rms_norm D=64"), codegen::baseline_target());
  cache.store(key, "object bytes");
  {
    std::fstream f(entry(key), std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(-1, std::ios::end);
    f.put('X');
  }
  EXPECT_FALSE(cache.find(key));
  EXPECT_FALSE(fs::exists(entry(key)));
  cache.store(key, "object bytes");
  fs::resize_file(entry(key), 20);  // torn inside its header
  EXPECT_FALSE(cache.find(key));
}

TEST_F(KernelObjectCacheTest, AnEntryUnderAnotherNameOrAnotherUsersKeyIsAMiss) {
  const std::string a = KernelObjectCache::key(kernels("rms_norm D=64"), codegen::baseline_target());
  const std::string b = KernelObjectCache::key(kernels("rms_norm D=128"), codegen::baseline_target());
  cache.store(a, "object of a");
  fs::copy_file(entry(a), entry(b));
  EXPECT_FALSE(cache.find(b));
  ::setenv("LMC_KEY_FILE", dir.file("someone-else.key").c_str(), 1);
  EXPECT_FALSE(cache.find(a));
}

TEST_F(KernelObjectCacheTest, PastItsBoundTheLeastRecentlyUsedEntriesGo) {
  KernelObjectCache small(dir.file("small"), 2500);
  const std::string object(1000, 'o');
  const std::string old_key = "00000000000000a1", used_key = "00000000000000a2", new_key = "00000000000000a3";
  small.store(old_key, object);
  small.store(used_key, object);
  auto past = fs::file_time_type::clock::now() - std::chrono::hours(1);
  fs::last_write_time(dir.file("small/" + old_key + ".o"), past);
  fs::last_write_time(dir.file("small/" + used_key + ".o"), past + std::chrono::minutes(1));
  EXPECT_TRUE(small.find(used_key));  // used now: the newest
  small.store(new_key, object);
  EXPECT_FALSE(small.find(old_key));
  EXPECT_TRUE(small.find(used_key));
  EXPECT_TRUE(small.find(new_key));
}

TEST_F(KernelObjectCacheTest, WithoutAKeyToCheckWithEveryEntryIsAMiss) {
  cache.store("00000000000000c1", "object");
  const std::string open_key = dir.file("readable-by-all.key");
  std::ofstream(open_key) << std::string(64, 'a');
  fs::permissions(open_key, fs::perms::others_read, fs::perm_options::add);
  ::setenv("LMC_KEY_FILE", open_key.c_str(), 1);  // refused: anyone could forge with it
  EXPECT_FALSE(cache.find("00000000000000c1"));
  ::setenv("LMC_KEY_FILE", dir.file("artifact.key").c_str(), 1);
  EXPECT_TRUE(cache.find("00000000000000c1"));  // kept: nothing said it was damaged
}

TEST_F(KernelObjectCacheTest, ClearRemovesEveryEntryAndItsDirectory) {
  cache.store("00000000000000b1", "one");
  cache.store("00000000000000b2", "two");
  EXPECT_GT(cache.clear(), 6u);
  EXPECT_FALSE(fs::exists(dir.file("kernels")));
  EXPECT_FALSE(cache.find("00000000000000b1"));
  EXPECT_EQ(cache.clear(), 0u);
}

}  // namespace
}  // namespace lmc::driver

// The compile cache's key for a vision tower (driver/image_encoder.h opens an mmproj as
// weights, with its vision definition as their model definition): the same request is the
// same entry, and each thing that changes the compiled tower is another — the mmproj's
// bytes (not its name, size or mtime), the definition's bytes and which definition, the
// passes and their options, the target. The entry's description names the mmproj and the
// definition, which lmc cache list shows.
#include <gtest/gtest.h>
#include <stdlib.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <functional>
#include <string>

#include "../runtime/temp_dir.h"
#include "driver/cache_key.h"

namespace lmc::driver {
namespace {

namespace fs = std::filesystem;
using runtime::testing::TempDir;

class TowerCacheKey : public ::testing::Test {
 protected:
  void SetUp() override {
    ::setenv("LMC_KEY_FILE", dir.file("artifact.key").c_str(), 1);
    write("mmproj.gguf", "GGUF the tower's weights");
    write("gemma3-vision.yaml", "name: a tower\n");
    write("mlp-vision.yaml", "name: another tower\n");
  }
  void write(const std::string& name, const std::string& bytes) const {
    std::ofstream(dir.file(name), std::ios::binary | std::ios::trunc) << bytes;
  }
  // As ImageEncoder asks for the tower.
  CompileRequest tower() const {
    CompileRequest r;
    r.model = dir.file("mmproj.gguf");
    r.model_def = dir.file("gemma3-vision.yaml");
    r.target.native = true;
    return r;
  }
  // The key after `change` to the files or the request.
  std::string key_after(const std::function<void(CompileRequest&)>& change) const {
    CompileRequest r = tower();
    change(r);
    return cache_key(r).hex;
  }
  TempDir dir;
};

TEST_F(TowerCacheKey, SameRequestSameEntry) {
  const CacheKey a = cache_key(tower());
  EXPECT_EQ(a.hex.size(), 16u);
  EXPECT_EQ(a.hex, cache_key(tower()).hex);
  EXPECT_EQ(a.model, dir.file("mmproj.gguf"));
  EXPECT_NE(a.settings.find("model-def=" + dir.file("gemma3-vision.yaml")), std::string::npos) << a.settings;
}

TEST_F(TowerCacheKey, TheMmprojsBytesNotItsTimesName) {
  const std::string before = cache_key(tower()).hex;
  const auto mtime = fs::last_write_time(dir.file("mmproj.gguf"));
  write("mmproj.gguf", "GGUF the tower's weighTs");  // same size
  fs::last_write_time(dir.file("mmproj.gguf"), mtime);
  EXPECT_NE(cache_key(tower()).hex, before);
  write("mmproj.gguf", "GGUF the tower's weights");
  fs::last_write_time(dir.file("mmproj.gguf"), mtime + std::chrono::seconds(5));
  EXPECT_EQ(cache_key(tower()).hex, before);
}

TEST_F(TowerCacheKey, TheDefinitionsBytesAndWhichDefinition) {
  const std::string before = cache_key(tower()).hex;
  EXPECT_NE(key_after([&](CompileRequest& r) { r.model_def = dir.file("mlp-vision.yaml"); }), before);
  write("gemma3-vision.yaml", "name: a tower, changed\n");
  EXPECT_NE(cache_key(tower()).hex, before);
}

TEST_F(TowerCacheKey, ThePassesTheirOptionsAndTheTarget) {
  const std::string before = cache_key(tower()).hex;
  EXPECT_NE(key_after([](CompileRequest& r) { r.pipeline = "none"; }), before);
  EXPECT_NE(key_after([](CompileRequest& r) { r.pass_options["quant-min-dim"] = "32"; }), before);
  EXPECT_NE(key_after([](CompileRequest& r) { r.target.native = false; }), before);
  EXPECT_NE(key_after([](CompileRequest& r) { r.target.mattr = "+avx2"; }), before);
  EXPECT_EQ(key_after([](CompileRequest&) {}), before);
}

}  // namespace
}  // namespace lmc::driver

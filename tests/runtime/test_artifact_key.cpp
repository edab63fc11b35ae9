// The user's artifact key: created once, private, and refused when others could read it.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <optional>
#include <utility>
#include <vector>

#include "runtime/artifact/artifact_key.h"
#include "support/error.h"
#include "temp_dir.h"

namespace lmc::runtime {
namespace {

using testing::TempDir;

// Points the key lookup at a fresh XDG_CONFIG_HOME for one test.
class KeyEnv : public ::testing::Test {
 protected:
  void SetUp() override {
    save("LMC_KEY_FILE");
    save("XDG_CONFIG_HOME");
    ::unsetenv("LMC_KEY_FILE");
    ::setenv("XDG_CONFIG_HOME", dir.file("config").c_str(), 1);
  }
  void TearDown() override {
    for (const auto& [name, value] : saved)
      if (value)
        ::setenv(name.c_str(), value->c_str(), 1);
      else
        ::unsetenv(name.c_str());
  }
  void save(const std::string& name) {
    const char* v = std::getenv(name.c_str());
    saved.emplace_back(name, v ? std::optional<std::string>(v) : std::nullopt);
  }
  TempDir dir;
  std::vector<std::pair<std::string, std::optional<std::string>>> saved;
};

mode_t mode_of(const std::string& path) {
  struct stat st{};
  EXPECT_EQ(::stat(path.c_str(), &st), 0) << path;
  return st.st_mode & 07777;
}

TEST_F(KeyEnv, CreatedOnFirstUsePrivateAndStable) {
  std::string path = dir.file("config") + "/lmc/key";
  EXPECT_EQ(user_key_path(), path);
  ArtifactKey first = user_key();
  EXPECT_EQ(first.path, path);
  EXPECT_EQ(first.secret.size(), 32u);
  EXPECT_EQ(mode_of(path), 0600u);
  EXPECT_EQ(mode_of(dir.file("config") + "/lmc"), 0700u);
  EXPECT_EQ(user_key().secret, first.secret);
  EXPECT_EQ(std::filesystem::directory_iterator(dir.file("config") + "/lmc")->path().filename(), "key")
      << "no temporary left beside the key";
}

TEST_F(KeyEnv, EnvironmentVariableOverrides) {
  ::setenv("LMC_KEY_FILE", dir.file("k").c_str(), 1);
  EXPECT_EQ(user_key().path, dir.file("k"));
}

TEST_F(KeyEnv, AKeyOthersCanReadIsRefused) {
  std::string path = dir.file("k");
  std::ofstream(path) << std::string(64, 'a') << "\n";
  ::chmod(path.c_str(), 0644);
  try {
    read_key_file(path);
    FAIL() << "a world-readable key was accepted";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("must be yours and private (it is mode 0644)"), std::string::npos) << e.what();
  }
  ::chmod(path.c_str(), 0600);
  EXPECT_EQ(read_key_file(path).secret, std::string(32, '\xaa'));
}

TEST_F(KeyEnv, AKeyThatIsNotHexIsRefused) {
  std::string path = dir.file("k");
  std::ofstream(path) << std::string(63, 'a') << "g\n";
  ::chmod(path.c_str(), 0600);
  EXPECT_THROW(read_key_file(path), Error);
}

}  // namespace
}  // namespace lmc::runtime

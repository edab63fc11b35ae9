// The KV-cache snapshot file: what is written reads back byte for byte, atomically; a file of
// another identity or version, not a snapshot, truncated anywhere, damaged or holding tokens
// outside the vocabulary is refused with an error naming it, before or while its rows are
// read, and never crashes; a path that is not a regular file is never replaced.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <cstddef>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "runtime/kv_snapshot.h"
#include "support/error.h"
#include "temp_dir.h"

namespace lmc::runtime {
namespace {

// Two caches' rows: one of 12 bytes a token (a cache of C rows), one fixed (a ring).
struct Rows {
  std::vector<std::byte> global = std::vector<std::byte>(12 * 8), ring = std::vector<std::byte>(20);
  std::vector<std::span<std::byte>> of(int64_t tokens) {
    return {std::span(global).first(static_cast<size_t>(12 * tokens)), std::span(ring)};
  }
};

Rows filled() {
  Rows r;
  for (size_t i = 0; i < r.global.size(); ++i) r.global[i] = static_cast<std::byte>(i * 7 + 1);
  for (size_t i = 0; i < r.ring.size(); ++i) r.ring[i] = static_cast<std::byte>(200 - i);
  return r;
}

const KvSnapshotExpect kExpect{42, 8, 100};
const std::vector<int32_t> kTokens = {5, 9, 99, 0, 17};

std::string bytes_of(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), {}};
}

void put(const std::string& path, const std::string& bytes) { std::ofstream(path, std::ios::binary) << bytes; }

std::string refusal(const std::string& path, const KvSnapshotExpect& expect = kExpect) {
  Rows into;
  try {
    read_kv_snapshot(path, expect, [&](int64_t n) { return into.of(n); });
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

TEST(KvSnapshot, RoundTripsTheTokensAndRows) {
  testing::TempDir dir;
  const std::string file = dir.file("a.bin");
  Rows saved = filled();
  const uint64_t written = write_kv_snapshot(file, 42, kTokens, saved.of(5));
  EXPECT_EQ(written, kKvSnapshotHeaderBytes + 5 * 4 + 5 * 12 + 20);
  EXPECT_EQ(std::filesystem::file_size(file), written);
  EXPECT_EQ(dir.entries(), 1u);  // no temporary left beside it
  Rows into;
  int64_t asked = -1;
  KvSnapshotRead r = read_kv_snapshot(file, kExpect, [&](int64_t n) {
    asked = n;
    return into.of(n);
  });
  EXPECT_EQ(asked, 5);
  EXPECT_EQ(r.tokens, kTokens);
  EXPECT_EQ(r.bytes, written);
  EXPECT_TRUE(std::equal(into.global.begin(), into.global.begin() + 60, saved.global.begin()));
  EXPECT_EQ(into.ring, saved.ring);
  EXPECT_NE(kv_snapshot_identity(1, "k0: f16[C,8]\n"), kv_snapshot_identity(1, "k0: f32[C,8]\n"));
  EXPECT_NE(kv_snapshot_identity(1, "k0: f16[C,8]\n"), kv_snapshot_identity(2, "k0: f16[C,8]\n"));
}

TEST(KvSnapshot, RefusesAnotherIdentityVersionOrKindOfFile) {
  testing::TempDir dir;
  const std::string file = dir.file("a.bin");
  Rows saved = filled();
  write_kv_snapshot(file, 42, kTokens, saved.of(5));
  EXPECT_NE(refusal(file, {43, 8, 100}).find("another model or KV-cache layout"), std::string::npos);
  EXPECT_NE(refusal(file, {42, 4, 100}).find("holds 5 tokens"), std::string::npos);   // past the context
  EXPECT_NE(refusal(file, {42, 8, 50}).find("outside the vocabulary"), std::string::npos);
  const std::string good = bytes_of(file);
  std::string other = good;
  other[8] = 2;  // the version
  put(file, other);
  EXPECT_NE(refusal(file).find("version 2"), std::string::npos);
  put(file, "GGUF and something else entirely, long enough for a header");
  EXPECT_NE(refusal(file).find("not an lmc KV-cache snapshot"), std::string::npos);
  other = good;
  other[good.size() - 3] ^= 1;  // a row's byte
  put(file, other);
  EXPECT_NE(refusal(file).find("damaged"), std::string::npos);
  EXPECT_NE(refusal(dir.file("missing.bin")).find("missing.bin"), std::string::npos);
  EXPECT_NE(refusal(dir.path().string()).find(dir.path().string()), std::string::npos);  // a folder
  // Rows of another size than the caches take, though the header's identity agrees.
  Rows small;
  small.ring.resize(4);
  write_kv_snapshot(file, 42, kTokens, small.of(5));
  EXPECT_NE(refusal(file).find("the caches take"), std::string::npos);
}

TEST(KvSnapshot, EveryTruncationIsRefused) {
  testing::TempDir dir;
  const std::string file = dir.file("a.bin");
  Rows saved = filled();
  write_kv_snapshot(file, 42, kTokens, saved.of(5));
  const std::string good = bytes_of(file);
  for (size_t n = 0; n < good.size(); ++n) {
    put(file, good.substr(0, n));
    EXPECT_NE(refusal(file), "") << n << " bytes";
  }
  put(file, good + "x");  // and a byte past the end
  EXPECT_NE(refusal(file).find("its header says"), std::string::npos);
}

TEST(KvSnapshot, NeverReplacesWhatIsNotARegularFile) {
  testing::TempDir dir;
  Rows saved = filled();
  const std::string fifo = dir.file("fifo"), link = dir.file("link"), target = dir.file("target");
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  put(target, "mine");
  std::filesystem::create_symlink(target, link);
  for (const std::string& path : {fifo, link, dir.path().string()})
    EXPECT_THROW(write_kv_snapshot(path, 42, kTokens, saved.of(5)), Error) << path;
  EXPECT_EQ(bytes_of(target), "mine");
  EXPECT_TRUE(std::filesystem::is_fifo(fifo));
  EXPECT_TRUE(std::filesystem::is_symlink(link));
  // A regular file is replaced whole.
  write_kv_snapshot(target, 42, kTokens, saved.of(5));
  EXPECT_EQ(refusal(target), "");
}

}  // namespace
}  // namespace lmc::runtime

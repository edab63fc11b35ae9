#include <gtest/gtest.h>

#include <cstring>
#include <fstream>
#include <iterator>
#include <random>

#include "runtime/artifact/artifact.h"
#include "runtime/artifact/artifact_manifest.h"
#include "runtime/artifact/artifact_seal.h"
#include "runtime/artifact/digest.h"
#include "support/error.h"
#include "temp_dir.h"

namespace lmc::runtime {
namespace {

using testing::TempDir;

std::string read_all(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(f), {}};
}

void write_all(const std::string& path, const std::string& bytes) {
  std::ofstream f(path, std::ios::binary | std::ios::trunc);
  f << bytes;
}

template <typename Int>
Int get(const std::string& s, size_t at) {
  Int v;
  std::memcpy(&v, s.data() + at, sizeof v);
  return v;
}
template <typename Int>
void put(std::string& s, size_t at, Int v) {
  std::memcpy(s.data() + at, &v, sizeof v);
}

// Header fields (see runtime/artifact/artifact.h): magic[8], u32 version, u32 count, u64 table offset, size,
// digest, then the seal.
constexpr size_t kTableOffsetField = 16, kTableSizeField = 24, kTableDigestField = 32;

const ArtifactKey kKey{std::string(32, 'k'), "test key"};
const ArtifactKey kOtherKey{std::string(32, 'o'), "other key"};

std::string expect_open_error(const std::string& path, bool verify_weights = false) {
  try {
    auto a = Artifact::open(path);
    if (verify_weights) a->verify_weights();
  } catch (const Error& e) {
    EXPECT_EQ(std::string(e.what()).rfind(path, 0), 0u) << "message must name the file: " << e.what();
    return e.what();
  }
  ADD_FAILURE() << "opening " << path << " did not fail";
  return "";
}

ArtifactManifest sample_manifest() {
  ArtifactManifest m;
  m.model = "tiny";
  m.pipeline = "fuse-qkv,dce";
  m.target = {"haswell", "+avx2,+fma"};
  m.info.name = "tiny";
  m.info.weights = "weights/tiny.gguf";
  m.info.context = 256;
  m.info.step_tokens = 64;
  m.info.d_model = 32;
  m.info.n_layers = 2;
  m.info.chat = {"gemma",
                 {{"user", "<start_of_turn>user\n{content}<end_of_turn>\n"},
                  {"assistant", "<start_of_turn>model\n{content}<end_of_turn>\n"}},
                 "{system}\n\n{content}",
                 "",
                 true,
                 ""};
  m.info.hyper = {{"d_model", "32"}, {"eps", "1e-06"}};
  codegen::KernelEntry k;
  k.name = "linear_f32_32x64";
  k.key = "linear(f32[T,32], f32[64,32]) -> (f32[T,64]) {act = \"silu\"}";
  k.info.uses_sym = true;
  k.info.per_sym = 1;
  k.info.grain = 8;
  k.info.rows_from = 9;
  m.kernels = {k};
  m.extra = {{"tokenizer", "gguf"}};
  return m;
}

class ArtifactTest : public ::testing::Test {
 protected:
  TempDir dir;
  std::string path = dir.file("model.lmc");
  std::vector<float> w1 = std::vector<float>(3 * 5);
  std::string q8 = std::string(2 * 34, '\x07');  // q8_0[2,32]: two blocks of 34 bytes

  void SetUp() override {
    for (size_t i = 0; i < w1.size(); ++i) w1[i] = static_cast<float>(i) * 0.5f;
    ArtifactWriter w(path, kKey);
    w.add_section("ir", "graph @tiny() -> () {\n}\n");
    w.add_section("kernels", std::string(100, '\x7f'));
    w.add_weight("blk.0.w", ir::DType::f32, {3, 5}, {reinterpret_cast<const char*>(w1.data()), w1.size() * 4});
    w.add_weight("blk.0.q", ir::DType::q8_0, {2, 32}, q8);
    w.add_section("tokenizer", std::string("opaque\0bytes", 12));
    w.finish(sample_manifest());
  }
  const ArtifactSection& find(const Artifact& a, const std::string& name) {
    for (const auto& s : a.sections())
      if (s.name == name) return s;
    throw std::runtime_error("no section " + name);
  }
};

TEST_F(ArtifactTest, RoundTrip) {
  auto a = Artifact::open(path);
  EXPECT_NO_THROW(a->verify_weights());
  EXPECT_TRUE(sealed_with(*a, kKey));
  EXPECT_FALSE(sealed_with(*a, kOtherKey));
  EXPECT_EQ(a->section("ir"), "graph @tiny() -> () {\n}\n");
  EXPECT_EQ(a->section("kernels"), std::string(100, '\x7f'));
  EXPECT_EQ(a->section("tokenizer"), std::string("opaque\0bytes", 12));
  for (const auto& s : a->sections()) EXPECT_EQ(s.offset % (s.name == "weights" ? 4096 : 64), 0u) << s.name;

  const ArtifactManifest& m = a->parsed_manifest();
  ArtifactManifest want = sample_manifest();
  EXPECT_EQ(m.lmc_version, LMC_VERSION);
  EXPECT_EQ(m.pipeline, want.pipeline);
  EXPECT_EQ(m.target, want.target);
  EXPECT_EQ(m.info.chat, want.info.chat);
  EXPECT_EQ(m.info.hyper, want.info.hyper);
  EXPECT_EQ(m.info.context, 256);
  EXPECT_EQ(m.info.step_tokens, 64);
  ASSERT_EQ(m.kernels.size(), 1u);
  EXPECT_EQ(m.kernels[0].key, want.kernels[0].key);
  EXPECT_EQ(m.kernels[0].name, want.kernels[0].name);
  EXPECT_EQ(m.kernels[0].info.grain, 8);
  EXPECT_EQ(m.kernels[0].info.rows_from, 9);
  EXPECT_TRUE(m.kernels[0].info.uses_sym);
  EXPECT_EQ(m.extra, want.extra);
  EXPECT_EQ(a->manifest().at("model"), "tiny");
  EXPECT_EQ(a->manifest().at("digest.ir"), digest_hex(digest64(a->section("ir"))));

  ASSERT_EQ(a->weight_index().size(), 2u);
  EXPECT_EQ(a->weight_index()[1].dtype, ir::DType::q8_0);
  EXPECT_EQ(a->weight_index()[1].shape, (std::vector<int64_t>{2, 32}));
  const void* p = a->weights().get("blk.0.w");
  EXPECT_EQ(reinterpret_cast<uintptr_t>(p) % 64, 0u);
  EXPECT_EQ(std::memcmp(p, w1.data(), w1.size() * 4), 0);
  EXPECT_EQ(std::memcmp(a->weights().get("blk.0.q"), q8.data(), q8.size()), 0);
  EXPECT_THROW(a->weights().get("missing"), Error);
  EXPECT_THROW(a->section("nope"), Error);
  EXPECT_EQ(dir.entries(), 1u) << "the temporary file must be gone";
}

// rows_from is written only when set, and a bad value names its key.
TEST(ArtifactManifest, KernelRowsFromIsOptionalAndChecked) {
  ArtifactManifest m = sample_manifest();
  auto kv = parse_manifest(encode_manifest(m, {}), "a.lmc:manifest");
  EXPECT_EQ(kv.at("kernel.0.rows_from"), "9");
  kv.erase("kernel.0.rows_from");
  EXPECT_EQ(decode_manifest(kv, "a.lmc:manifest").kernels[0].info.rows_from, 0);
  kv["kernel.0.rows_from"] = "0";
  try {
    decode_manifest(kv, "a.lmc:manifest");
    ADD_FAILURE() << "rows_from 0 was accepted";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("a.lmc:manifest"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("kernel.0.rows_from"), std::string::npos) << e.what();
  }
}

// The weights' chat template travels whole (newlines, backslashes, '='); an artifact from
// before templates were carried has none and chats in its family's turns.
TEST(ArtifactManifest, ChatTemplateIsCarriedAndOptional) {
  ArtifactManifest m = sample_manifest();
  EXPECT_EQ(parse_manifest(encode_manifest(m, {}), "a.lmc:manifest").count("info.chat.template"), 0u);
  m.info.chat.jinja = "{%- for m in messages %}\\{{ m['content'] }}={{ '\\n' }}\r\n{% endfor %}";
  auto kv = parse_manifest(encode_manifest(m, {}), "a.lmc:manifest");
  EXPECT_EQ(decode_manifest(kv, "a.lmc:manifest").info.chat, m.info.chat);
  kv.erase("info.chat.template");
  ir::ChatFormat old = decode_manifest(kv, "a.lmc:manifest").info.chat;
  EXPECT_EQ(old.jinja, "");
  EXPECT_EQ(old.turns, m.info.chat.turns);
}

// The pass plugins are written only when the pipeline loaded some; a path may hold spaces,
// and a bad record names its key.
TEST(ArtifactManifest, PluginsRoundTripAndABadRecordNamesItsKey) {
  ArtifactManifest m = sample_manifest();
  EXPECT_EQ(parse_manifest(encode_manifest(m, {}), "a.lmc:manifest").count("plugin.count"), 0u);
  m.plugins = {{"/home/r/my plugins/libfuse.so", "0123456789abcdef"}, {"/p/libx.so", "fedcba9876543210"}};
  auto kv = parse_manifest(encode_manifest(m, {}), "a.lmc:manifest");
  EXPECT_EQ(kv.at("plugin.0"), "0123456789abcdef /home/r/my plugins/libfuse.so");
  EXPECT_EQ(decode_manifest(kv, "a.lmc:manifest").plugins, m.plugins);
  for (const char* bad : {"0123456789abcdef", "0123456789ABCDEF /p.so", "12345 /p.so", ""}) {
    kv["plugin.1"] = bad;
    try {
      decode_manifest(kv, "a.lmc:manifest");
      ADD_FAILURE() << "'" << bad << "' was accepted";
    } catch (const Error& e) {
      EXPECT_NE(std::string(e.what()).find("a.lmc:manifest: error: key 'plugin.1'"), std::string::npos) << e.what();
    }
  }
}

TEST_F(ArtifactTest, TruncatedFilesAreRejected) {
  std::string bytes = read_all(path);
  for (size_t len : {size_t{0}, size_t{7}, size_t{39}, size_t{100}, bytes.size() / 2, bytes.size() - 1}) {
    std::string cut = dir.file("cut.lmc");
    write_all(cut, bytes.substr(0, len));
    expect_open_error(cut);
  }
}

TEST_F(ArtifactTest, BadMagic) {
  std::string bytes = read_all(path);
  bytes[3] = 'X';
  write_all(path, bytes);
  EXPECT_NE(expect_open_error(path).find("bad magic"), std::string::npos);
}

TEST_F(ArtifactTest, TableOffsetPastEndOfFile) {
  std::string bytes = read_all(path);
  put<uint64_t>(bytes, kTableOffsetField, bytes.size() + 64);
  write_all(path, bytes);
  EXPECT_NE(expect_open_error(path).find("past the end"), std::string::npos);
}

TEST_F(ArtifactTest, SectionOffsetPastEndOfFile) {
  std::string bytes = read_all(path);
  uint64_t table = get<uint64_t>(bytes, kTableOffsetField), table_size = get<uint64_t>(bytes, kTableSizeField);
  // First entry: u32 name length, name, then its u64 offset. Move it past EOF and
  // re-sign the table, so only the bounds check can catch it.
  uint32_t len = get<uint32_t>(bytes, table);
  put<uint64_t>(bytes, table + 4 + len, bytes.size() + 4096);
  put<uint64_t>(bytes, kTableDigestField, digest64(std::string_view(bytes).substr(table, table_size)));
  write_all(path, bytes);
  EXPECT_NE(expect_open_error(path).find("outside the data area"), std::string::npos);
}

TEST_F(ArtifactTest, CorruptSectionFailsItsDigest) {
  uint64_t at;
  {
    auto a = Artifact::open(path);
    at = find(*a, "ir").offset + 3;
  }
  std::string bytes = read_all(path);
  bytes[at] ^= 1;
  write_all(path, bytes);
  EXPECT_NE(expect_open_error(path).find("section 'ir' is corrupt"), std::string::npos);
}

TEST_F(ArtifactTest, CorruptWeightsFailOnlyWhenVerified) {
  uint64_t at;
  {
    auto a = Artifact::open(path);
    at = find(*a, "weights").offset + 5;
  }
  std::string bytes = read_all(path);
  bytes[at] ^= 1;
  write_all(path, bytes);
  EXPECT_NO_THROW(Artifact::open(path));
  EXPECT_NE(expect_open_error(path, true).find(":weights: error: tensor 'blk.0.w' is corrupt"), std::string::npos);
}

TEST_F(ArtifactTest, CorruptPaddingBetweenTensorsIsNamed) {
  uint64_t at;
  {
    auto a = Artifact::open(path);
    at = find(*a, "weights").offset + a->weight_index()[0].bytes;  // right after the first tensor
  }
  std::string bytes = read_all(path);
  bytes[at] ^= 1;
  write_all(path, bytes);
  EXPECT_NE(expect_open_error(path, true).find("the padding between tensors is corrupt"), std::string::npos);
}

// The seal is checked apart from opening: a file whose digests all hold opens, and is
// sealed only if its seal is the key's MAC. (tests/badinput re-seals changed sections with
// recomputed digests, as a forger would.)
TEST_F(ArtifactTest, SealVerifiesOnlyWithItsKeyAndItsBytes) {
  std::string bytes = read_all(path);
  bytes[kTableDigestField + 8 + 5] ^= 1;  // one bit of the seal
  write_all(path, bytes);
  auto a = Artifact::open(path);
  EXPECT_FALSE(sealed_with(*a, kKey));
}

TEST_F(ArtifactTest, CorruptTableIsDetected) {
  std::string bytes = read_all(path);
  bytes[get<uint64_t>(bytes, kTableOffsetField) + 6] ^= 1;
  write_all(path, bytes);
  expect_open_error(path);
}

// Any byte of the file flipped: opening either works (a weights byte is not hashed
// by default) or fails with an lmc::Error naming the file — never a crash.
TEST_F(ArtifactTest, RandomByteFlipsNeverCrash) {
  const std::string bytes = read_all(path);
  std::mt19937 rng(99);
  std::string mutated = dir.file("mutated.lmc");
  int rejected = 0;
  for (int trial = 0; trial < 400; ++trial) {
    std::string b = bytes;
    for (int k = 0; k < 1 + trial % 3; ++k) b[rng() % b.size()] ^= static_cast<char>(1 + rng() % 255);
    write_all(mutated, b);
    try {
      auto a = Artifact::open(mutated);
      for (const auto& r : a->weight_index()) a->weights().get(r.name);
    } catch (const Error& e) {
      ++rejected;
      EXPECT_EQ(std::string(e.what()).rfind(mutated, 0), 0u) << e.what();
    }
  }
  EXPECT_GT(rejected, 100);
}

TEST(ArtifactWriter, AbandonedWriterLeavesNothing) {
  TempDir dir;
  std::string path = dir.file("out.lmc");
  {
    ArtifactWriter w(path, kKey);
    w.add_section("ir", "text");
    w.add_weight("a", ir::DType::f32, {2}, std::string(8, '\0'));
    EXPECT_EQ(dir.entries(), 1u);  // the temporary file while writing
  }
  EXPECT_EQ(dir.entries(), 0u);
  try {
    ArtifactWriter w(path, kKey);
    w.add_weight("a", ir::DType::f32, {2, 2}, std::string(8, '\0'));  // 16 bytes needed
    FAIL() << "a weight of the wrong size was accepted";
  } catch (const Error& e) {
    // The file the user asked for, not the temporary.
    EXPECT_EQ(std::string(e.what()).rfind(path + ": error: ", 0), 0u) << e.what();
  }
  EXPECT_EQ(dir.entries(), 0u);
}

TEST(ArtifactWriter, RejectsMisuse) {
  TempDir dir;
  ArtifactWriter w(dir.file("out.lmc"), kKey);
  w.add_section("ir", "x");
  EXPECT_THROW(w.add_section("ir", "y"), Error);
  EXPECT_THROW(w.add_section("manifest", "y"), Error);
  w.add_weight("a", ir::DType::f32, {1}, std::string(4, '\0'));
  EXPECT_THROW(w.add_weight("a", ir::DType::f32, {1}, std::string(4, '\0')), Error);
  EXPECT_THROW(w.add_weight("b", ir::DType::q8_0, {1, 16}, std::string(17, '\0')), Error);
  w.add_section("tokenizer", "t");
  EXPECT_THROW(w.add_weight("c", ir::DType::f32, {1}, std::string(4, '\0')), Error);
}

TEST(ArtifactReader, MissingFileNamesThePath) {
  TempDir dir;
  expect_open_error(dir.file("absent.lmc"));
}

}  // namespace
}  // namespace lmc::runtime

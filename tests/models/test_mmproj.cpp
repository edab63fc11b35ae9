// The mmproj GGUF (models/vision/mmproj.h): a tiny Gemma-3-shaped one written byte by byte
// (llama.cpp's clip.* keys, v.* and mm.* tensors) read back; then each way one goes wrong
// (a missing or malformed key, a missing or misshapen tensor, a truncated file, another
// projector) refused with the file and the key or tensor named.
#include <gtest/gtest.h>

#include <algorithm>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "models/vision/mmproj.h"
#include "models/vision/vision_tensors.h"
#include "tests/models/expect_error.h"
#include "tests/models/gguf_writer.h"
#include "tests/models/temp_dir.h"

namespace lmc::models {
namespace {

using test::expect_error;
using test::GgufWriter;

// A metadata value: writes its type and bytes.
using Value = std::function<void(GgufWriter&)>;

Value u32(uint32_t v) {
  return [v](GgufWriter& w) { w.u32(test::kU32).u32(v); };
}
Value f32(float v) {
  return [v](GgufWriter& w) { w.u32(test::kF32).put(v); };
}
Value boolean(bool v) {
  return [v](GgufWriter& w) { w.u32(test::kBool).put(uint8_t(v)); };
}
Value text(const std::string& s) {
  return [s](GgufWriter& w) { w.u32(test::kString).str(s); };
}
Value floats(const std::vector<float>& v) {
  return [v](GgufWriter& w) {
    w.u32(test::kArray).u32(test::kF32).u64(v.size());
    for (float x : v) w.put(x);
  };
}

// image 32 px in 8 px patches (4 x 4), pooled 2 x 2 to 4 tokens; width 16, MLP 32, 2
// blocks of 4 heads; projected to 24.
std::map<std::string, Value> gemma3_meta() {
  return {{"general.architecture", text("clip")},
          {"clip.has_vision_encoder", boolean(true)},
          {"clip.projector_type", text("gemma3")},
          {"clip.use_gelu", boolean(true)},
          {"clip.vision.image_size", u32(32)},
          {"clip.vision.patch_size", u32(8)},
          {"clip.vision.embedding_length", u32(16)},
          {"clip.vision.feed_forward_length", u32(32)},
          {"clip.vision.block_count", u32(2)},
          {"clip.vision.projection_dim", u32(24)},
          {"clip.vision.attention.head_count", u32(4)},
          {"clip.vision.attention.layer_norm_epsilon", f32(1e-6f)},
          {"clip.vision.projector.scale_factor", u32(2)},
          {"clip.vision.image_mean", floats({0.5f, 0.5f, 0.5f})},
          {"clip.vision.image_std", floats({0.5f, 0.5f, 0.5f})}};
}

// The tensors the tiny hyper-parameters call for, from the table under test: the file is
// checked against the same list it was made from, so the shapes below are also spelled
// out once by hand (TinyGemma3TensorTable).
VisionHParams tiny_hparams(const std::string& projector) {
  VisionHParams hp;
  hp.projector = projector;
  hp.image_size = 32;
  hp.patch_size = 8;
  hp.embedding_length = 16;
  hp.feed_forward_length = 32;
  hp.block_count = 2;
  hp.projection_dim = 24;
  return hp;
}

std::vector<VisionTensor> gemma3_tensors() { return vision_tensors(tiny_hparams("gemma3"), "tiny"); }

// Writes the mmproj with `meta` and `tensors` (zeros, F32 but those `q8_0` names) and
// returns its bytes.
std::vector<uint8_t> mmproj_bytes(const std::map<std::string, Value>& meta, const std::vector<VisionTensor>& tensors,
                                  const std::vector<std::string>& q8_0 = {}) {
  GgufWriter w;
  w.header(tensors.size(), meta.size());
  for (const auto& [key, value] : meta) {
    w.str(key);
    value(w);
  }
  uint64_t offset = 0;
  for (const VisionTensor& t : tensors) {
    std::vector<uint64_t> ne(t.shape.rbegin(), t.shape.rend());
    const bool quantized = std::find(q8_0.begin(), q8_0.end(), t.name) != q8_0.end();
    w.tensor_info(t.name, ne, quantized ? 8 : 0, offset);
    uint64_t n = 1;
    for (int64_t d : t.shape) n *= uint64_t(d);
    n = quantized ? n / 32 * 34 : n * 4;
    offset += (n + 31) / 32 * 32;
  }
  w.pad_to(32);
  w.bytes.resize(w.bytes.size() + offset, 0);
  return w.bytes;
}

class Mmproj : public ::testing::Test {
 protected:
  std::string write(const std::vector<uint8_t>& bytes) {
    const std::string path = dir.file("mmproj.gguf");
    test::write_bytes(path, bytes.data(), bytes.size());
    return path;
  }
  std::string write(const std::map<std::string, Value>& meta) { return write(mmproj_bytes(meta, gemma3_tensors())); }
  std::string write(const std::vector<VisionTensor>& tensors) { return write(mmproj_bytes(gemma3_meta(), tensors)); }

  test::TempDir dir;
};

TEST_F(Mmproj, TinyGemma3TensorTable) {
  std::map<std::string, std::vector<int64_t>> shapes;
  for (const auto& t : gemma3_tensors()) shapes[t.name] = t.shape;
  EXPECT_EQ(shapes.size(), 3 + 2 * 16 + 2 + 2u);
  EXPECT_EQ(shapes["v.patch_embd.weight"], (std::vector<int64_t>{16, 3, 8, 8}));
  EXPECT_EQ(shapes["v.position_embd.weight"], (std::vector<int64_t>{16, 16}));
  EXPECT_EQ(shapes["v.blk.1.attn_out.weight"], (std::vector<int64_t>{16, 16}));
  EXPECT_EQ(shapes["v.blk.0.ffn_up.weight"], (std::vector<int64_t>{32, 16}));
  EXPECT_EQ(shapes["v.blk.0.ffn_down.weight"], (std::vector<int64_t>{16, 32}));
  EXPECT_EQ(shapes["v.blk.1.ln2.bias"], (std::vector<int64_t>{16}));
  EXPECT_EQ(shapes["mm.soft_emb_norm.weight"], (std::vector<int64_t>{16}));
  EXPECT_EQ(shapes["mm.input_projection.weight"], (std::vector<int64_t>{16, 24}));
}

// LLaVA-1.5's layout (projector mlp) at the same tiny size: a class embedding, a position for
// each patch and the class token, the pre LayerNorm, no patch bias, no post LayerNorm, and
// the MLP projector to 24.
TEST_F(Mmproj, TinyLlavaTensorTable) {
  std::map<std::string, std::vector<int64_t>> shapes;
  for (const auto& t : vision_tensors(tiny_hparams("mlp"), "tiny")) shapes[t.name] = t.shape;
  EXPECT_EQ(shapes.size(), 3 + 2 + 2 * 16 + 4u);
  EXPECT_EQ(shapes["v.class_embd"], (std::vector<int64_t>{16}));
  EXPECT_EQ(shapes["v.position_embd.weight"], (std::vector<int64_t>{17, 16}));
  EXPECT_EQ(shapes["v.pre_ln.weight"], (std::vector<int64_t>{16}));
  EXPECT_EQ(shapes.count("v.patch_embd.bias"), 0u);
  EXPECT_EQ(shapes.count("v.post_ln.weight"), 0u);
  EXPECT_EQ(shapes["mm.0.weight"], (std::vector<int64_t>{24, 16}));
  EXPECT_EQ(shapes["mm.2.weight"], (std::vector<int64_t>{24, 24}));
  EXPECT_EQ(shapes["mm.2.bias"], (std::vector<int64_t>{24}));
}

TEST_F(Mmproj, ReadsTheVisionTower) {
  auto m = MmprojFile::open(write(gemma3_meta()));
  const VisionHParams& hp = m->hparams();
  EXPECT_EQ(hp.projector, "gemma3");
  EXPECT_EQ(hp.image_size, 32);
  EXPECT_EQ(hp.patch_size, 8);
  EXPECT_EQ(hp.patches_per_side(), 4);
  EXPECT_EQ(hp.pool, 2);
  EXPECT_EQ(hp.image_tokens(), 4);
  EXPECT_EQ(hp.embedding_length, 16);
  EXPECT_EQ(hp.feed_forward_length, 32);
  EXPECT_EQ(hp.block_count, 2);
  EXPECT_EQ(hp.head_count, 4);
  EXPECT_EQ(hp.projection_dim, 24);
  EXPECT_TRUE(hp.use_gelu);
  EXPECT_FLOAT_EQ(float(hp.layer_norm_epsilon), 1e-6f);
  EXPECT_EQ(hp.image_mean, (std::array<float, 3>{0.5f, 0.5f, 0.5f}));
  EXPECT_TRUE(is_mmproj(m->gguf()));
}

// Gemma 3's files carry no scale factor: llama.cpp pools 4 x 4, and so does lmc.
TEST_F(Mmproj, PoolDefaultsToFour) {
  auto meta = gemma3_meta();
  meta.erase("clip.vision.projector.scale_factor");
  EXPECT_EQ(MmprojFile::open(write(meta))->hparams().image_tokens(), 1);
}

TEST_F(Mmproj, MissingKeysAreNamed) {
  for (const char* key : {"clip.vision.image_size", "clip.vision.patch_size", "clip.vision.embedding_length",
                          "clip.vision.feed_forward_length", "clip.vision.block_count",
                          "clip.vision.attention.head_count", "clip.vision.attention.layer_norm_epsilon",
                          "clip.vision.image_mean", "clip.vision.image_std", "clip.projector_type"}) {
    auto meta = gemma3_meta();
    meta.erase(key);
    const std::string path = write(meta);
    expect_error([&] { MmprojFile::open(path); }, {"mmproj.gguf", std::string("'") + key + "'", "missing"});
  }
}

TEST_F(Mmproj, MalformedKeysAreNamed) {
  struct Case {
    const char* key;
    Value value;
    const char* says;
  };
  const std::vector<Case> cases = {
      {"clip.vision.image_size", text("big"), "expected an int64"},
      {"clip.vision.image_size", u32(0), "is 0, expected 1 to 16384"},
      {"clip.vision.image_size", u32(1 << 20), "expected 1 to 16384"},
      {"clip.vision.patch_size", u32(7), "is 7, which does not divide clip.vision.image_size 32"},
      {"clip.vision.attention.head_count", u32(5), "does not divide clip.vision.embedding_length 16"},
      {"clip.vision.projector.scale_factor", u32(3), "does not divide the patches per side 4"},
      {"clip.vision.attention.layer_norm_epsilon", f32(-1), "is -1, expected a positive number"},
      {"clip.vision.image_std", floats({0.5f, 0.f, 0.5f}), "value 1 is 0, expected a positive number"},
      {"clip.vision.image_mean", floats({0.5f, 0.5f}), "has 2 values, expected 3"},
      {"clip.vision.image_std",
       [](GgufWriter& w) { w.u32(test::kArray).u32(test::kF64).u64(3).put(0.5).put(1e-300).put(0.5); },
       "value 1 is 1e-300, expected a positive number"},
      {"clip.vision.projection_dim", u32(25), "is 25, but mm.input_projection.weight maps to 24"},
      {"clip.has_vision_encoder", boolean(false), "the mmproj has no vision tower"},
      {"clip.has_vision_encoder", u32(1), "is not a bool"},
      {"clip.projector_type", text("ldp"), "projector type 'ldp' is not one lmc reads (gemma3 and mlp are)"},
      {"general.architecture", text("llama"), "not an mmproj"},
  };
  for (const Case& c : cases) {
    auto meta = gemma3_meta();
    meta[c.key] = c.value;
    const std::string path = write(meta);
    expect_error([&] { MmprojFile::open(path); }, {"mmproj.gguf", ": error: ", c.says});
  }
}

TEST_F(Mmproj, MissingTensorsAreNamed) {
  for (const char* name : {"v.patch_embd.weight", "v.blk.1.ffn_down.bias", "v.post_ln.weight",
                           "mm.soft_emb_norm.weight", "mm.input_projection.weight"}) {
    auto tensors = gemma3_tensors();
    std::erase_if(tensors, [&](const VisionTensor& t) { return t.name == name; });
    const std::string path = write(tensors);
    expect_error([&] { MmprojFile::open(path); }, {"mmproj.gguf: error: tensor '" + std::string(name) + "'"});
  }
}

TEST_F(Mmproj, MisshapenTensorsAreNamed) {
  auto tensors = gemma3_tensors();
  for (auto& t : tensors)
    if (t.name == "v.blk.0.attn_k.weight") t.shape = {16, 8};
  const std::string path = write(tensors);
  expect_error([&] { MmprojFile::open(path); },
               {"mmproj.gguf: error: tensor 'v.blk.0.attn_k.weight' has shape [16, 8], expected [16, 16]"});
}

// Only the blocks' linear weights may be quantized; a bias, norm or the projection may not.
TEST_F(Mmproj, QuantizedTypesOnlyForTheBlocksLinears) {
  EXPECT_NO_THROW(MmprojFile::open(write(mmproj_bytes(gemma3_meta(), gemma3_tensors(), {"v.blk.0.ffn_down.weight"}))));
  const std::string path = write(mmproj_bytes(gemma3_meta(), gemma3_tensors(), {"v.blk.0.ffn_up.bias"}));
  expect_error([&] { MmprojFile::open(path); },
               {"mmproj.gguf: error: tensor 'v.blk.0.ffn_up.bias' is q8_0, expected f32, f16 or bf16"});
}

TEST_F(Mmproj, TruncatedFilesAreRefused) {
  const auto bytes = mmproj_bytes(gemma3_meta(), gemma3_tensors());
  for (size_t keep : {size_t(10), size_t(300), bytes.size() - 40}) {
    const std::string path = write(std::vector<uint8_t>(bytes.begin(), bytes.begin() + long(keep)));
    expect_error([&] { MmprojFile::open(path); }, {"mmproj.gguf"});
  }
}

}  // namespace
}  // namespace lmc::models

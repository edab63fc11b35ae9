// WeightSource::meta_item, the per-layer entries of a metadata array that a definition reads
// one layer at a time (meta_item("layer_types", i, ...)): a GGUF array's elements as numbers
// or strings; nothing past its end, for a key it lacks, or for a key that is no array. And
// a config.json's nested keys (rope_scaling.factor) read as "outer.inner", and a list of
// numbers as the tensor "meta:KEY".
#include <gtest/gtest.h>

#include <cstring>

#include "gguf_writer.h"
#include "models/weight_source.h"
#include "temp_dir.h"

namespace lmc::models {
namespace {

using test::GgufWriter;

TEST(WeightSourceMeta, ArrayItemsOfAGguf) {
  GgufWriter w;
  w.header(0, 3);
  w.key("m.windows", test::kArray).u32(test::kI32).u64(2).put<int32_t>(4096).put<int32_t>(0);
  w.key("m.kinds", test::kArray).u32(test::kString).u64(2).str("sliding_attention").str("full_attention");
  w.key("m.width", test::kU32).u32(64);
  test::TempDir dir;
  const std::string path = dir.file("meta.gguf");
  test::write_bytes(path, w.bytes);
  const auto src = WeightSource::open(path);

  EXPECT_EQ(src->meta_item("m.windows", 0), ExprValue(4096.0));
  EXPECT_EQ(src->meta_item("m.windows", 1), ExprValue(0.0));
  EXPECT_EQ(src->meta_item("m.kinds", 1), ExprValue(std::string("full_attention")));
  EXPECT_EQ(src->meta_item("m.windows", 2), std::nullopt);
  EXPECT_EQ(src->meta_item("m.windows", -1), std::nullopt);
  EXPECT_EQ(src->meta_item("m.width", 0), std::nullopt);
  EXPECT_EQ(src->meta_item("m.absent", 0), std::nullopt);
}

TEST(WeightSourceMeta, NestedKeysOfAConfigJson) {
  test::TempDir dir;
  const std::string header = R"({"w":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}})";
  std::vector<uint8_t> bytes(8 + header.size() + 4, 0);
  const uint64_t n = header.size();
  std::memcpy(bytes.data(), &n, 8);
  std::memcpy(bytes.data() + 8, header.data(), header.size());
  test::write_bytes(dir.file("model.safetensors"), bytes);
  const std::string config = R"({"rope_scaling": {"type": "yarn", "factor": 4.0, "betas": [32, 1]},
                                 "rope_scaling.factor": 2.0, "sliding_window": null, "hidden_size": 8})";
  test::write_bytes(dir.file("config.json"), std::vector<uint8_t>(config.begin(), config.end()));
  const auto src = WeightSource::open(dir.path().string());

  EXPECT_EQ(src->meta("rope_scaling.type"), ExprValue(std::string("yarn")));
  EXPECT_EQ(src->meta("hidden_size"), ExprValue(8.0));
  EXPECT_EQ(src->meta_item("rope_scaling.betas", 1), ExprValue(1.0));
  EXPECT_EQ(src->meta("rope_scaling.factor"), ExprValue(2.0)) << "a key with a dot in it is taken first";
  EXPECT_TRUE(src->has_meta("rope_scaling"));
  EXPECT_FALSE(src->has_meta("rope_scaling.attention_factor"));
  EXPECT_FALSE(src->has_meta("sliding_window"));
  EXPECT_FALSE(src->has_meta("hidden_size.x"));
  EXPECT_EQ(src->meta("rope_scaling.absent"), std::nullopt);

  // A list of numbers as a tensor (LongRoPE's factors).
  EXPECT_TRUE(src->has_tensor("meta:rope_scaling.betas"));
  EXPECT_EQ(src->meta_tensor("meta:rope_scaling.betas"), (std::vector<float>{32, 1}));
  EXPECT_EQ(src->shape("meta:rope_scaling.betas"), (std::vector<int64_t>{2}));
  EXPECT_FALSE(src->has_tensor("meta:rope_scaling.type")) << "a string, not a list of numbers";
  EXPECT_FALSE(src->has_tensor("meta:rope_scaling.absent"));
  EXPECT_EQ(src->meta_tensor("w"), std::nullopt);
  EXPECT_TRUE(src->has_tensor("w"));
}

}  // namespace
}  // namespace lmc::models

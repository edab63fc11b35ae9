// WeightSource::meta_item, the per-layer entries of a metadata array that a definition reads
// one layer at a time (meta_item("layer_types", i, ...)): a GGUF array's elements as numbers
// or strings; nothing past its end, for a key it lacks, or for a key that is no array.
#include <gtest/gtest.h>

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

}  // namespace
}  // namespace lmc::models

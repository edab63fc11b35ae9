#include "driver/model_shard.h"

#include <gtest/gtest.h>

#include "support/error.h"

namespace lmc::driver {
namespace {

TEST(ModelShard, ReadsTheShardPassOfTheRecordedPipeline) {
  EXPECT_EQ(shard_of_pipeline("shard{rank=1,ranks=2},fuse-qkv,fold-weights,dce", "x"), (ModelShard{2, 1}));
  EXPECT_EQ(shard_of_pipeline("shard{ranks=4},dce", "x"), (ModelShard{4, 0}));
}

TEST(ModelShard, APipelineWithoutShardIsTheWholeModel) {
  EXPECT_EQ(shard_of_pipeline("fuse-qkv,fold-weights,dce", "x"), ModelShard{});
  // A plugin's pass, not loaded when the artifact runs, is no obstacle.
  EXPECT_EQ(shard_of_pipeline("my-fusion{k=1},shard{ranks=2,rank=1},dce", "x"), (ModelShard{2, 1}));
  EXPECT_EQ(shard_of_pipeline("none", "x"), ModelShard{});
  EXPECT_EQ(describe(ModelShard{}), "the whole model");
  EXPECT_EQ(describe(ModelShard{3, 2}), "rank 2 of 3");
}

void expect_error(const std::string& pipeline, const std::string& text) {
  try {
    shard_of_pipeline(pipeline, "m.lmc:manifest");
    ADD_FAILURE() << pipeline << " was accepted";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find(text), std::string::npos) << e.what();
  }
}

TEST(ModelShard, ARecordedShareThatIsNoShareIsAnErrorNamingThePlace) {
  expect_error("shard{rank=2,ranks=2}", "m.lmc:manifest: error: shard keeps rank 2 of 2, which is no share");
  expect_error("shard{ranks=two}",
               "m.lmc:manifest: column 13: shard{ranks}: expects an integer in [1, 4096], got 'two'");
  expect_error("shard{ranks=0}", "expects an integer");
  expect_error("shard{ranks=99999999999999999999}", "expects an integer");
  expect_error("shard{", "m.lmc:manifest");
}

TEST(ModelShard, EachRanksFileSitsBesideTheNamedOne) {
  EXPECT_EQ(rank_path("gemma.lmc", 1), "gemma.rank1.lmc");
  EXPECT_EQ(rank_path("out/gemma.lmc", 0), "out/gemma.rank0.lmc");
  EXPECT_EQ(rank_path("out.d/gemma", 3), "out.d/gemma.rank3");
  EXPECT_EQ(rank_path("a.b.lir", 2), "a.b.rank2.lir");
}

}  // namespace
}  // namespace lmc::driver

// WeightSource keeping a file's q4_0 / q4_1 / q5_0 / q5_1 (and q8_0) blocks: the bytes of whole rows (cat, cat1, rows)
// and whole blocks of columns (cols) are the file's, copied; anything else is an error
// naming the file and the weight.
#include <gtest/gtest.h>

#include <random>

#include "expect_error.h"
#include "gguf_writer.h"
#include "models/weight_source.h"
#include "temp_dir.h"

namespace lmc::models {
namespace {

using test::GgufWriter;

constexpr uint32_t kTypeQ4_1 = 3, kTypeQ5_0 = 6, kTypeQ8_0 = 8;
constexpr size_t kRow = 40;  // 64 values of q4_1: two blocks of 20 bytes

std::vector<uint8_t> random_bytes(size_t n, uint32_t seed) {
  std::mt19937 rng(seed);
  std::vector<uint8_t> v(n);
  for (auto& b : v) b = static_cast<uint8_t>(rng());
  return v;
}

// a: q4_1 [2, 64], b: q4_1 [1, 64], c: q8_0 [2, 32], e: q5_0 [1, 32], at 32-byte aligned offsets.
class BlockSource : public ::testing::Test {
 protected:
  void SetUp() override {
    a_ = random_bytes(2 * kRow, 1);
    b_ = random_bytes(kRow, 2);
    c_ = random_bytes(2 * 34, 3);
    e_ = random_bytes(22, 4);
    GgufWriter w;
    w.header(4, 0);
    w.tensor_info("a", {64, 2}, kTypeQ4_1, 0).tensor_info("b", {64, 1}, kTypeQ4_1, 96);
    w.tensor_info("c", {32, 2}, kTypeQ8_0, 160).tensor_info("e", {32, 1}, kTypeQ5_0, 256).pad_to(32);
    for (const auto* part : {&a_, &b_, &c_, &e_}) {
      w.bytes.insert(w.bytes.end(), part->begin(), part->end());
      w.pad_to(32);
    }
    path_ = dir_.file("blocks.gguf");
    test::write_bytes(path_, w.bytes);
    src_ = WeightSource::open(path_);
  }

  std::vector<uint8_t> get(const std::string& expr) const { return src_->materialize(expr, ir::DType::q4_1); }

  test::TempDir dir_;
  std::string path_;
  std::vector<uint8_t> a_, b_, c_, e_;
  std::unique_ptr<WeightSource> src_;
};

TEST_F(BlockSource, KnowsWhichTensorsAreStoredInBlocksItKeeps) {
  EXPECT_EQ(src_->stored_dtype("a"), ir::DType::q4_1);
  EXPECT_EQ(src_->stored_dtype("c"), ir::DType::q8_0);
  EXPECT_EQ(src_->stored_dtype("e"), ir::DType::q5_0);
  EXPECT_EQ(src_->stored_dtype("absent"), std::nullopt);
}

TEST_F(BlockSource, WholeRowsAndBlocksAreTheFilesBytes) {
  EXPECT_EQ(get("q4_1(a)"), a_);
  std::vector<uint8_t> ab = a_;
  ab.insert(ab.end(), b_.begin(), b_.end());
  EXPECT_EQ(get("q4_1(cat(a,b))"), ab);
  EXPECT_EQ(get("q4_1(rows(a,1,1))"), std::vector<uint8_t>(a_.begin() + kRow, a_.end()));
  std::vector<uint8_t> second_blocks(a_.begin() + 20, a_.begin() + kRow);
  second_blocks.insert(second_blocks.end(), a_.begin() + kRow + 20, a_.end());
  EXPECT_EQ(get("q4_1(cols(a,32,32))"), second_blocks);
  EXPECT_EQ(get("q4_1(rows(cat(a,b),2,1))"), b_);
  EXPECT_EQ(src_->materialize("q5_0(e)", ir::DType::q5_0), e_);
}

// A file's q8_0 blocks requested as q8_0 are its bytes (random ones here, which no
// rounding of their values would give back); other tensors are rounded to q8_0 from f32.
TEST_F(BlockSource, FilesQ8_0BlocksAreCopiedAsStored) {
  EXPECT_EQ(src_->materialize("q8_0(c)", ir::DType::q8_0), c_);
  EXPECT_EQ(src_->materialize("q8_0(rows(c,1,1))", ir::DType::q8_0), std::vector<uint8_t>(c_.begin() + 34, c_.end()));
  EXPECT_EQ(src_->materialize("q8_0(a)", ir::DType::q8_0).size(), 2u * 2 * 34);
}

// Experts' weights stored one per tensor (a Hugging Face folder's) stack into [E, ...]: the
// shape gains the count in front, the bytes are each's in order.
TEST_F(BlockSource, StackedTensorsAreOneAfterTheOther) {
  EXPECT_EQ(src_->shape("stack(a,a,a)"), (std::vector<int64_t>{3, 2, 64}));
  std::vector<uint8_t> aa = a_;
  aa.insert(aa.end(), a_.begin(), a_.end());
  EXPECT_EQ(get("q4_1(stack(a,a))"), aa);
  test::expect_error([&] { src_->shape("stack(a,b)"); }, {path_, "stack() of tensors whose shapes differ"});
}

// Stacked weights joined along axis 1 (an experts' gate and up as one [E, N_g + N_u, K]):
// per expert, the first's rows then the second's, as blocks and as values alike.
TEST_F(BlockSource, Cat1JoinsEachExpertsRows) {
  EXPECT_EQ(src_->shape("cat1(stack(a,a),stack(b,b))"), (std::vector<int64_t>{2, 3, 64}));
  std::vector<uint8_t> abab;
  for (int expert = 0; expert < 2; ++expert)
    for (const auto* part : {&a_, &b_}) abab.insert(abab.end(), part->begin(), part->end());
  EXPECT_EQ(get("q4_1(cat1(stack(a,a),stack(b,b)))"), abab);
  std::vector<uint8_t> values;
  for (int expert = 0; expert < 2; ++expert)
    for (const char* part : {"a", "b"}) {
      std::vector<uint8_t> v = src_->materialize(part, ir::DType::f32);
      values.insert(values.end(), v.begin(), v.end());
    }
  EXPECT_EQ(src_->materialize("cat1(stack(a,a),stack(b,b))", ir::DType::f32), values);
  test::expect_error([&] { src_->shape("cat1(a,b)"); }, {path_, "cat1() joins stacked tensors of rank 3 or more"});
  test::expect_error([&] { src_->shape("cat1(stack(a,a),stack(b,b,b))"); },
                     {path_, "cat1() of tensors that are not stacked alike"});
}

TEST_F(BlockSource, WhatHasNoBlocksOfTheFileIsAnError) {
  test::expect_error([&] { get("q4_1(T(a))"); }, {path_, "T() of q4_1 blocks", "whole blocks"});
  test::expect_error([&] { get("q4_1(cols(a,16,32))"); }, {path_, "cols() of q4_1 blocks"});
  test::expect_error([&] { get("q4_1(c)"); }, {path_, "'c' is not stored as q4_1"});
  test::expect_error([&] { src_->materialize("q4_1(a)", ir::DType::q8_0); }, {path_, "requested as q8_0"});
  test::expect_error([&] { src_->materialize("q4_0(a)", ir::DType::q4_0); }, {path_, "'a' is not stored as q4_0"});
  test::expect_error([&] { src_->materialize("a", ir::DType::q4_1); }, {path_, "requested as q4_1"});
}

}  // namespace
}  // namespace lmc::models

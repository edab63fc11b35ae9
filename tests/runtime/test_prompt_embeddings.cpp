// Prefill chunks around an image's rows (runtime/prompt_embeddings.h) and the checks on each
// row's key end (runtime/step_rows.h): a joint image is never cut (a causal one may be), an image longer than a step is
// an error, rows past a prompt's first image are its own, and a key end before its row's position or past its
// sequence's last row of the step is refused before any kernel reads the caches there.
#include <gtest/gtest.h>

#include "runtime/prompt_embeddings.h"
#include "runtime/step_rows.h"
#include "support/error.h"

namespace lmc::runtime {
namespace {

TEST(PromptEmbeddings, ChunksEndBeforeAnImageTheyWouldCut) {
  const float values[1] = {};
  const std::vector<PromptEmbeddings> image{{5, 4, values}};  // rows 5 .. 8
  EXPECT_EQ(chunk_end(image, 0, 4, 20), 4);  // before the image
  EXPECT_EQ(chunk_end(image, 0, 7, 20), 5);  // would cut it: ends where it starts
  EXPECT_EQ(chunk_end(image, 0, 9, 20), 9);  // holds it whole
  EXPECT_EQ(chunk_end(image, 5, 4, 20), 9);  // starts with it
  EXPECT_EQ(chunk_end(image, 9, 16, 20), 20);  // past it
  EXPECT_EQ(chunk_end({}, 3, 8, 6), 6);
  EXPECT_THROW(chunk_end(image, 5, 3, 20), Error);  // longer than a step
}

TEST(PromptEmbeddings, ChunksMayCutACausalImage) {
  const float values[1] = {};
  const std::vector<PromptEmbeddings> image{{5, 4, values, false}};  // LLaVA's: rows attend causally
  EXPECT_EQ(chunk_end(image, 0, 7, 20), 7);
  EXPECT_EQ(chunk_end(image, 7, 1, 20), 8);
}

TEST(PromptEmbeddings, OnlyAJointImageMustFitAStep) {
  const float values[1] = {};
  const std::vector<PromptEmbeddings> images{{0, 40, values, false}, {40, 20, values, true}, {60, 9, values, true}};
  EXPECT_EQ(span_past_step(images, 32), nullptr);  // the causal 40 is cut, the joint 20 fits
  EXPECT_EQ(span_past_step(images, 16), &images[1]);  // the joint 20 does not
  EXPECT_EQ(span_past_step({}, 1), nullptr);
}

TEST(PromptEmbeddings, RowsBeforeTheFirstImageAreWhatOthersMayShare) {
  const float values[1] = {};
  const std::vector<PromptEmbeddings> images{{5, 4, values}, {12, 4, values}};
  EXPECT_EQ(rows_before_images(images, 20), 5);
  EXPECT_EQ(rows_before_images(images, 3), 3);  // a prefix that ends before the image
  EXPECT_EQ(rows_before_images({}, 20), 20);
}

TEST(StepRows, KeyEndsLieFromTheirPositionToTheSequencesLastRow) {
  const RowLimits limits{100, 64, 2};
  std::vector<int32_t> scratch;
  const int32_t tokens[4] = {1, 2, 3, 4}, positions[4] = {7, 8, 9, 0}, seqs[4] = {0, 0, 0, 1};
  const int32_t image[4] = {9, 9, 9, 0}, causal[4] = {7, 8, 9, 0};
  check_rows(StepRows{tokens, positions, seqs, 4, image}, limits, scratch);
  check_rows(StepRows{tokens, positions, seqs, 4, causal}, limits, scratch);
  const int32_t before[4] = {7, 7, 9, 0}, past[4] = {10, 8, 9, 0}, other_sequence[4] = {7, 8, 9, 1};
  for (const int32_t* bad : {before, past, other_sequence})
    EXPECT_THROW(check_rows(StepRows{tokens, positions, seqs, 4, bad}, limits, scratch), Error);
}

}  // namespace
}  // namespace lmc::runtime

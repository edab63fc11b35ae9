// Shared KV pages (runtime/kv_page_pool.h, runtime/kv_prefix_tree.h): a page has as many
// holders as point at it and is free when the last lets go; a sequence that is to write in
// a shared page takes a copy of its own; the prefix tree offers the whole pages of the
// prompts it was given, matches a prompt's longest run of them, keeps the page already there
// when the same tokens come again (adding nothing below another sequence's page), lets go of
// the least recently used page that nothing else holds and nothing continues, and forgets the
// prompts that start with a page. A sliding window's pool: a sequence lets go of the pages
// before its window; the tree keeps the window pages of the last window before a node where
// prompts part or end, takes them from a sequence that offers them, and matches only as far
// as the window before the match's end is whole.
#include <gtest/gtest.h>

#include <vector>

#include "codegen/kernel_abi.h"
#include "runtime/kv_page_pool.h"
#include "runtime/kv_prefix_tree.h"
#include "support/error.h"

namespace lmc::runtime {
namespace {

std::vector<int32_t> tokens_of(int64_t n, int32_t seed) {
  std::vector<int32_t> t;
  for (int64_t i = 0; i < n; ++i) t.push_back(static_cast<int32_t>(i * 7 + seed));
  return t;
}

std::vector<int32_t> rows_of(const KvPageTable& table, int64_t seq, int64_t pages) {
  std::vector<int32_t> rows;
  for (int64_t j = 0; j < pages; ++j) rows.push_back(table.first_row(seq, j));
  return rows;
}

TEST(KvPagePool, ASharedPageIsFreeWhenItsLastHolderLetsGo) {
  KvPageTable table(2, 4 * kKvPageRows);
  KvPagePool pool(table, 4);
  ASSERT_TRUE(pool.grow(0, 2 * kKvPageRows));
  const int32_t first = table.first_row(0, 0);
  pool.share(1, 0, first);  // its next page
  EXPECT_EQ(pool.held(1), 1);
  EXPECT_EQ(pool.refs(first), 2);
  EXPECT_EQ(pool.free_pages(), 2);
  pool.shrink(0, 0);  // sequence 1 still holds the first page
  EXPECT_EQ(pool.free_pages(), 3);
  EXPECT_EQ(pool.refs(first), 1);
  pool.retain(first);  // the tree's hold
  pool.shrink(1, 0);
  EXPECT_EQ(pool.free_pages(), 3);
  pool.release(first);
  EXPECT_EQ(pool.free_pages(), 4);
  EXPECT_THROW(pool.release(first), Error);  // free already
  EXPECT_THROW(pool.retain(first), Error);
  EXPECT_THROW(pool.share(1, 2, first), Error);  // past its next page
  EXPECT_THROW(pool.refs(kKvPageRows + 1), Error);  // starts no page
}

TEST(KvPagePool, SharingInPlaceOfAPageLetsGoOfIt) {
  KvPageTable table(2, 4 * kKvPageRows);
  KvPagePool pool(table, 4);
  ASSERT_TRUE(pool.grow(0, kKvPageRows));
  ASSERT_TRUE(pool.grow(1, kKvPageRows));
  const int32_t own = table.first_row(1, 0);
  pool.share(1, 0, table.first_row(0, 0));
  EXPECT_EQ(pool.refs(own), 0);
  EXPECT_EQ(pool.free_pages(), 3);
  EXPECT_EQ(table.first_row(1, 0), table.first_row(0, 0));
}

TEST(KvPagePool, WritingInASharedPageTakesACopy) {
  KvPageTable table(2, 4 * kKvPageRows);
  KvPagePool pool(table, 3);
  ASSERT_TRUE(pool.grow(0, kKvPageRows));
  const int32_t shared = table.first_row(0, 0);
  pool.share(1, 0, shared);
  const int32_t left = pool.unshare(1, 0);
  EXPECT_EQ(left, shared);
  EXPECT_NE(table.first_row(1, 0), shared);
  EXPECT_EQ(pool.refs(shared), 1);
  EXPECT_EQ(pool.refs(table.first_row(1, 0)), 1);
  EXPECT_EQ(pool.unshare(1, 0), -1);  // its own now
  EXPECT_EQ(pool.unshare(0, 0), -1);
  EXPECT_THROW(pool.unshare(1, 1), Error);  // holds no such page
  ASSERT_TRUE(pool.grow(0, 2 * kKvPageRows));
  pool.share(1, 1, table.first_row(0, 1));
  EXPECT_EQ(pool.free_pages(), 0);
  EXPECT_THROW(pool.unshare(1, 1), Error);  // no page free for the copy
}

class PrefixTree : public ::testing::Test {
 protected:
  KvPageTable table{3, 8 * kKvPageRows};
  KvPagePool pool{table, 12};

  // Sequence `seq` computed `tokens`: its pages, offered to the tree, then let go of.
  void computed(KvPrefixTree& tree, int64_t seq, const std::vector<int32_t>& tokens) {
    ASSERT_TRUE(pool.grow(seq, static_cast<int64_t>(tokens.size())));
    tree.insert(tokens, rows_of(table, seq, pool.held(seq)));
    pool.shrink(seq, 0);
  }
};

TEST_F(PrefixTree, MatchesTheLongestRunOfWholePages) {
  KvPrefixTree tree(pool);
  const auto a = tokens_of(3 * kKvPageRows + 10, 1);
  ASSERT_TRUE(pool.grow(0, static_cast<int64_t>(a.size())));
  const auto rows = rows_of(table, 0, 4);
  tree.insert(a, rows);
  EXPECT_EQ(tree.pages(), 3);  // the last page is not whole
  EXPECT_EQ(pool.refs(rows[0]), 2);
  EXPECT_EQ(pool.refs(rows[3]), 1);
  EXPECT_EQ(tree.match(a, 8), std::vector<int32_t>(rows.begin(), rows.begin() + 3));
  EXPECT_EQ(tree.match(a, 2), std::vector<int32_t>(rows.begin(), rows.begin() + 2));
  auto b = a;
  b[kKvPageRows + 5] = -1;  // differs in the second page
  EXPECT_EQ(tree.match(b, 8), std::vector<int32_t>{rows[0]});
  EXPECT_TRUE(tree.match(tokens_of(kKvPageRows, 2), 8).empty());
  EXPECT_TRUE(tree.match(std::vector<int32_t>(a.begin(), a.begin() + kKvPageRows - 1), 8).empty());
  pool.shrink(0, 0);
  EXPECT_EQ(pool.free_pages(), 12 - 3);  // the tree holds its pages
  for (int i = 0; i < 3; ++i) EXPECT_TRUE(tree.evict());
  EXPECT_FALSE(tree.evict());
  EXPECT_EQ(pool.free_pages(), 12);
}

TEST_F(PrefixTree, KeepsThePageItHasForTokensItHas) {
  KvPrefixTree tree(pool);
  const auto a = tokens_of(2 * kKvPageRows, 1);
  computed(tree, 0, a);
  const auto first = tree.match(a, 8);
  auto longer = tokens_of(3 * kKvPageRows, 1);  // a and one page more, computed by sequence 1
  ASSERT_TRUE(pool.grow(1, static_cast<int64_t>(longer.size())));
  const auto rows = rows_of(table, 1, 3);
  tree.insert(longer, rows);
  EXPECT_EQ(tree.pages(), 2);  // a's; and none of sequence 1's below them
  EXPECT_EQ(pool.refs(rows[0]), 1);
  EXPECT_EQ(pool.refs(rows[2]), 1);
  EXPECT_EQ(tree.match(longer, 8), first);
  // Its pages that continue the tree's go in.
  pool.shrink(1, 0);
  for (size_t j = 0; j < 2; ++j) pool.share(1, static_cast<int64_t>(j), first[j]);
  ASSERT_TRUE(pool.grow(1, static_cast<int64_t>(longer.size())));
  tree.insert(longer, rows_of(table, 1, 3));
  EXPECT_EQ(tree.pages(), 3);
  EXPECT_FALSE(tree.evict());  // sequence 1 holds all three
}

TEST_F(PrefixTree, EvictsTheLeastRecentlyUsedLeafNothingElseHolds) {
  KvPrefixTree tree(pool);
  const auto a = tokens_of(2 * kKvPageRows, 1), b = tokens_of(2 * kKvPageRows, 2);
  computed(tree, 0, a);
  computed(tree, 0, b);
  tree.match(a, 8);  // a used last
  const auto b_rows = tree.match(b, 8, /*touch=*/false);
  const auto a_rows = tree.match(a, 8);
  pool.share(2, 0, a_rows[0]);  // a running sequence holds a's first page
  EXPECT_TRUE(tree.evict());
  EXPECT_EQ(tree.match(b, 8, false), std::vector<int32_t>{b_rows[0]});  // b's leaf went first
  EXPECT_EQ(pool.refs(b_rows[1]), 0);
  EXPECT_TRUE(tree.evict());  // b's first page, used before a's
  EXPECT_TRUE(tree.match(b, 8, false).empty());
  EXPECT_TRUE(tree.evict());  // a's leaf
  EXPECT_FALSE(tree.evict());  // a's first page: sequence 2 holds it
  EXPECT_EQ(tree.pages(), 1);
  EXPECT_EQ(pool.free_pages(), 11);
}

TEST_F(PrefixTree, LetsGoOfItsPagesWhenItGoes) {
  {
    KvPrefixTree tree(pool);
    computed(tree, 0, tokens_of(5 * kKvPageRows, 3));
    EXPECT_EQ(pool.free_pages(), 7);
  }
  EXPECT_EQ(pool.free_pages(), 12);
}

TEST_F(PrefixTree, ForgetsThePromptsThatStartWithAPage) {
  KvPrefixTree tree(pool);
  const auto a = tokens_of(2 * kKvPageRows, 1), b = tokens_of(2 * kKvPageRows, 2);
  auto a2 = tokens_of(3 * kKvPageRows, 1);
  a2[kKvPageRows + 3] = -1;  // a's first page, then its own
  computed(tree, 0, a);
  computed(tree, 0, b);
  pool.share(1, 0, tree.match(a2, 1)[0]);  // a2 starts from a's first page, and goes on its own
  ASSERT_TRUE(pool.grow(1, static_cast<int64_t>(a2.size())));
  tree.insert(a2, rows_of(table, 1, 3));
  pool.shrink(1, 0);
  EXPECT_EQ(tree.pages(), 6);
  tree.forget(std::vector<int32_t>(a.begin(), a.begin() + kKvPageRows + 1));
  EXPECT_EQ(tree.pages(), 2);
  EXPECT_TRUE(tree.match(a2, 8, false).empty());
  EXPECT_EQ(tree.match(b, 8, false).size(), 2u);
  EXPECT_EQ(pool.free_pages(), 10);
  tree.forget(tokens_of(kKvPageRows - 1, 2));  // no whole page: nothing
  EXPECT_EQ(tree.pages(), 2);
}

TEST_F(PrefixTree, RefusesFewerRowsThanWholePages) {
  KvPrefixTree tree(pool);
  EXPECT_THROW(tree.insert(tokens_of(2 * kKvPageRows, 1), std::vector<int32_t>{0}), Error);
}

TEST(KvPagePool, ASequenceLetsGoOfThePagesBeforeItsWindow) {
  KvPageTable table(1, 8 * kKvPageRows);
  KvPagePool pool(table, 8);
  ASSERT_TRUE(pool.grow(0, 3 * kKvPageRows));
  const int32_t second = table.first_row(0, 1);
  pool.drop_before(0, 2);
  EXPECT_EQ(pool.first(0), 2);
  EXPECT_EQ(pool.held(0), 3);
  EXPECT_EQ(pool.free_pages(), 7);
  EXPECT_THROW(pool.share(0, 1, second), Error);  // before its first page
  pool.drop_before(0, 5);                         // past its pages: it grows from page 5
  EXPECT_EQ(pool.held(0), 5);
  EXPECT_EQ(pool.free_pages(), 8);
  ASSERT_TRUE(pool.grow(0, 6 * kKvPageRows));
  EXPECT_EQ(pool.free_pages(), 7);
  pool.shrink(0, kKvPageRows);  // back before its first: it holds none
  EXPECT_EQ(pool.held(0), 1);
  EXPECT_EQ(pool.first(0), 1);
  EXPECT_EQ(pool.free_pages(), 8);
}

// The window pages of a sequence's pages [0, pages), -1 before its first.
std::vector<int32_t> window_rows_of(const KvPageTable& table, const KvPagePool& pool, int64_t seq, int64_t pages) {
  std::vector<int32_t> rows;
  for (int64_t j = 0; j < pages; ++j) rows.push_back(j >= pool.first(seq) ? table.first_row(seq, j) : -1);
  return rows;
}

TEST(KvPrefixTree, KeepsTheWindowPagesBeforeWherePromptsPartOrEnd) {
  constexpr int64_t kWindow = 2 * kKvPageRows;  // a continuation after n pages reads pages n-2, n-1
  KvPageTable table(2, 8 * kKvPageRows), windows(2, 8 * kKvPageRows);
  KvPagePool pool(table, 16), window_pool(windows, 16);
  KvPrefixTree tree(pool, &window_pool, kWindow);
  const std::vector<int32_t> a = tokens_of(6 * kKvPageRows, 1);
  ASSERT_TRUE(pool.grow(0, 6 * kKvPageRows));
  ASSERT_TRUE(window_pool.grow(0, 6 * kKvPageRows));
  tree.insert(a, rows_of(table, 0, 6), window_rows_of(windows, window_pool, 0, 6));
  // The leaf's last window: pages 4 and 5 (a continuation after 6 pages reads from 6 * 64 + 1 - 128).
  EXPECT_EQ(tree.window_pages(), 2);
  EXPECT_EQ(tree.match(a, 6).size(), 6u);
  const std::vector<int32_t> all = rows_of(windows, 0, 6);
  EXPECT_EQ(tree.window_rows(a, 6), std::vector<int32_t>(all.begin() + 4, all.end()));
  // A prompt that parts after page 3 finds no whole window there: nothing.
  std::vector<int32_t> b = a;
  b[4 * kKvPageRows] = -5;
  EXPECT_TRUE(tree.match(b, 6).empty());
  // Sequence 1 read b itself, its own pages, and lost its first window page: its window pages
  // fill in the tree's, where it parts from a, and they stay.
  ASSERT_TRUE(pool.grow(1, 6 * kKvPageRows));
  ASSERT_TRUE(window_pool.grow(1, 6 * kKvPageRows));
  window_pool.drop_before(1, 1);
  tree.insert(b, rows_of(table, 1, 6), window_rows_of(windows, window_pool, 1, 6));
  EXPECT_EQ(tree.match(b, 6).size(), 4u);
  const std::vector<int32_t> got = tree.window_rows(b, 4);
  EXPECT_EQ(got, std::vector<int32_t>({windows.first_row(1, 2), windows.first_row(1, 3)}));
  for (int32_t row : got) EXPECT_EQ(window_pool.refs(row), 2);
  // Sequence 1 ends: the tree alone holds what it kept; the rest is free.
  window_pool.shrink(1, 0);
  EXPECT_EQ(window_pool.refs(got[0]), 1);
  EXPECT_EQ(tree.window_pages(), 4);
}

}  // namespace
}  // namespace lmc::runtime

#include "runtime/kv_prefix_tree.h"

#include <algorithm>

#include "codegen/kernel_abi.h"
#include "support/error.h"

namespace lmc::runtime {

struct KvPrefixTree::Node {
  std::vector<int32_t> tokens;  // the page's
  int32_t row = -1;             // its first row in the pool; -1 at the root
  mutable uint64_t used = 0;  // the tree's clock when last matched or inserted
  Node* parent = nullptr;
  std::vector<std::unique_ptr<Node>> children;

  Node* child(std::span<const int32_t> page) const {
    for (const auto& c : children)
      if (std::equal(c->tokens.begin(), c->tokens.end(), page.begin(), page.end())) return c.get();
    return nullptr;
  }
};

namespace {

using Node = KvPrefixTree::Node;

std::span<const int32_t> page_at(std::span<const int32_t> tokens, int64_t j) {
  return tokens.subspan(static_cast<size_t>(j * kKvPageRows), static_cast<size_t>(kKvPageRows));
}

// The least recently used leaf that only the tree holds, below `n`.
void oldest_leaf(Node& n, const KvPagePool& pool, Node*& best) {
  for (const auto& c : n.children) {
    if (!c->children.empty())
      oldest_leaf(*c, pool, best);
    else if (pool.refs(c->row) == 1 && (!best || c->used < best->used))
      best = c.get();
  }
}

}  // namespace

KvPrefixTree::KvPrefixTree(KvPagePool& pool) : pool_(pool), root_(std::make_unique<Node>()) {}

KvPrefixTree::~KvPrefixTree() { release_below(*root_); }

void KvPrefixTree::release_below(const Node& top) {
  std::vector<const Node*> stack{&top};
  while (!stack.empty()) {
    const Node* n = stack.back();
    stack.pop_back();
    if (n->row >= 0) {
      pool_.release(n->row);
      --pages_;
    }
    for (const auto& c : n->children) stack.push_back(c.get());
  }
}

void KvPrefixTree::forget(std::span<const int32_t> tokens) {
  if (static_cast<int64_t>(tokens.size()) < kKvPageRows) return;
  auto& children = root_->children;
  const Node* first = root_->child(page_at(tokens, 0));
  if (!first) return;
  release_below(*first);
  children.erase(std::find_if(children.begin(), children.end(), [&](const auto& c) { return c.get() == first; }));
}

std::vector<int32_t> KvPrefixTree::match(std::span<const int32_t> tokens, int64_t max_pages, bool touch) const {
  std::vector<int32_t> rows;
  const int64_t whole = std::min(max_pages, static_cast<int64_t>(tokens.size()) / kKvPageRows);
  const uint64_t now = touch ? ++clock_ : 0;
  const Node* n = root_.get();
  for (int64_t j = 0; j < whole; ++j) {
    n = n->child(page_at(tokens, j));
    if (!n) break;
    if (touch) n->used = now;
    rows.push_back(n->row);
  }
  return rows;
}

void KvPrefixTree::insert(std::span<const int32_t> tokens, std::span<const int32_t> rows) {
  const int64_t whole = static_cast<int64_t>(tokens.size()) / kKvPageRows;
  if (static_cast<int64_t>(rows.size()) < whole)
    throw Error("runtime: error: " + std::to_string(whole) + " whole KV pages with " + std::to_string(rows.size()) +
                " rows");
  const uint64_t now = ++clock_;
  Node* n = root_.get();
  for (int64_t j = 0; j < whole; ++j) {
    Node* next = n->child(page_at(tokens, j));
    // Pages below another sequence's would be held without their prefix, which evict() could
    // then not free (it frees leaves): the rest of these stay the sequence's own.
    if (next && next->row != rows[static_cast<size_t>(j)]) break;
    if (!next) {
      const auto page = page_at(tokens, j);
      auto node = std::make_unique<Node>();
      node->tokens.assign(page.begin(), page.end());
      node->row = rows[static_cast<size_t>(j)];
      node->parent = n;
      pool_.retain(node->row);
      ++pages_;
      next = n->children.emplace_back(std::move(node)).get();
    }
    next->used = now;
    n = next;
  }
}

bool KvPrefixTree::evict() {
  Node* leaf = nullptr;
  oldest_leaf(*root_, pool_, leaf);
  if (!leaf) return false;
  pool_.release(leaf->row);
  --pages_;
  auto& siblings = leaf->parent->children;
  siblings.erase(std::find_if(siblings.begin(), siblings.end(), [&](const auto& c) { return c.get() == leaf; }));
  return true;
}

}  // namespace lmc::runtime

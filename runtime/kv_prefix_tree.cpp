#include "runtime/kv_prefix_tree.h"

#include <algorithm>

#include "codegen/kernel_abi.h"
#include "support/error.h"

namespace lmc::runtime {

struct KvPrefixTree::Node {
  std::vector<int32_t> tokens;  // the page's
  int32_t row = -1;             // its first row in the pool; -1 at the root
  int32_t window_row = -1;      // its first row in the window pool, -1 when it holds none
  bool parting = false;         // an offered prompt went on otherwise after it (its pages not added)
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

KvPrefixTree::KvPrefixTree(KvPagePool& pool, KvPagePool* window_pool, int64_t window)
    : pool_(pool), window_pool_(window_pool), window_(window_pool ? window : 0), root_(std::make_unique<Node>()) {}

KvPrefixTree::~KvPrefixTree() { release_below(*root_); }

void KvPrefixTree::release(Node& n) {
  if (n.row >= 0) {
    pool_.release(n.row);
    --pages_;
  }
  if (n.window_row >= 0) {
    window_pool_->release(n.window_row);
    n.window_row = -1;
    --window_pages_;
  }
}

void KvPrefixTree::release_below(Node& top) {
  std::vector<Node*> stack{&top};
  while (!stack.empty()) {
    Node* n = stack.back();
    stack.pop_back();
    release(*n);
    for (const auto& c : n->children) stack.push_back(c.get());
  }
}

int64_t KvPrefixTree::window_first_page(int64_t pages) const {
  return window_ > 0 ? std::max<int64_t>(0, pages * kKvPageRows + 1 - window_) / kKvPageRows : pages;
}

int64_t KvPrefixTree::trim_windows(Node& n, int64_t depth) {
  int64_t stop = n.children.size() == 1 && !n.parting ? INT64_MAX : depth;
  for (const auto& c : n.children) stop = std::min(stop, trim_windows(*c, depth + 1));
  // Node n is page depth - 1; a continuation after the node at depth `stop` reads from
  // window_first_page(stop).
  if (n.window_row >= 0 && (stop == INT64_MAX || depth - 1 < window_first_page(stop))) {
    window_pool_->release(n.window_row);
    n.window_row = -1;
    --window_pages_;
  }
  return stop;
}

void KvPrefixTree::forget(std::span<const int32_t> tokens) {
  if (static_cast<int64_t>(tokens.size()) < kKvPageRows) return;
  auto& children = root_->children;
  Node* first = root_->child(page_at(tokens, 0));
  if (!first) return;
  release_below(*first);
  children.erase(std::find_if(children.begin(), children.end(), [&](const auto& c) { return c.get() == first; }));
}

std::vector<int32_t> KvPrefixTree::match(std::span<const int32_t> tokens, int64_t max_pages, bool touch) const {
  std::vector<int32_t> rows;
  const int64_t whole = std::min(max_pages, static_cast<int64_t>(tokens.size()) / kKvPageRows);
  const uint64_t now = touch ? ++clock_ : 0;
  const Node* n = root_.get();
  std::vector<const Node*> path;
  for (int64_t j = 0; j < whole; ++j) {
    n = n->child(page_at(tokens, j));
    if (!n) break;
    path.push_back(n);
  }
  // The longest run whose window before its end is whole.
  auto m = static_cast<int64_t>(path.size());
  for (int64_t j = m - 1; window_ > 0 && j >= window_first_page(m); --j)
    if (path[static_cast<size_t>(j)]->window_row < 0) m = j, j = m;
  for (int64_t j = 0; j < m; ++j) {
    if (touch) path[static_cast<size_t>(j)]->used = now;
    rows.push_back(path[static_cast<size_t>(j)]->row);
  }
  return rows;
}

std::vector<int32_t> KvPrefixTree::window_rows(std::span<const int32_t> tokens, int64_t pages) const {
  std::vector<int32_t> rows;
  const Node* n = root_.get();
  for (int64_t j = 0; j < pages && n; ++j) {
    n = n->child(page_at(tokens, j));
    if (n && j >= window_first_page(pages)) rows.push_back(n->window_row);
  }
  return rows;
}

void KvPrefixTree::insert(std::span<const int32_t> tokens, std::span<const int32_t> rows,
                          std::span<const int32_t> window_rows, bool trim) {
  const int64_t whole = static_cast<int64_t>(tokens.size()) / kKvPageRows;
  if (static_cast<int64_t>(rows.size()) < whole)
    throw Error("runtime: error: " + std::to_string(whole) + " whole KV pages with " + std::to_string(rows.size()) +
                " rows");
  const uint64_t now = ++clock_;
  Node* n = root_.get();
  // Pages below another sequence's would be held without their prefix, which evict() could
  // then not free (it frees leaves): past a page the tree has at another row, the rest stay
  // the sequence's own, but its window pages (the same rows) fill in what the tree lacks.
  bool own = true;
  for (int64_t j = 0; j < whole; ++j) {
    Node* next = n->child(page_at(tokens, j));
    own = own && (!next || next->row == rows[static_cast<size_t>(j)]);
    if (!next && !own) {
      n->parting = true;  // the prompt goes on otherwise from here
      break;
    }
    if (!next) next = add_child(*n, page_at(tokens, j), rows[static_cast<size_t>(j)]);
    if (own) next->used = now;
    const int32_t window_row = static_cast<size_t>(j) < window_rows.size() ? window_rows[static_cast<size_t>(j)] : -1;
    if (window_ > 0 && next->window_row < 0 && window_row >= 0) {
      window_pool_->retain(window_row);
      next->window_row = window_row;
      ++window_pages_;
    }
    n = next;
  }
  if (window_ > 0 && trim) trim_windows(*root_, 0);
}

void KvPrefixTree::part(std::span<const int32_t> tokens) {
  if (window_ == 0) return;
  const int64_t whole = static_cast<int64_t>(tokens.size()) / kKvPageRows;
  Node* n = root_.get();
  for (int64_t j = 0; j < whole; ++j) {
    Node* next = n->child(page_at(tokens, j));
    if (!next) {
      n->parting = n != root_.get();
      break;
    }
    n = next;
  }
  trim_windows(*root_, 0);
}

KvPrefixTree::Node* KvPrefixTree::add_child(Node& n, std::span<const int32_t> page, int32_t row) {
  auto node = std::make_unique<Node>();
  node->tokens.assign(page.begin(), page.end());
  node->row = row;
  node->parent = &n;
  pool_.retain(row);
  ++pages_;
  return n.children.emplace_back(std::move(node)).get();
}

bool KvPrefixTree::evict() {
  Node* leaf = nullptr;
  oldest_leaf(*root_, pool_, leaf);
  if (!leaf) return false;
  release(*leaf);
  auto& siblings = leaf->parent->children;
  siblings.erase(std::find_if(siblings.begin(), siblings.end(), [&](const auto& c) { return c.get() == leaf; }));
  return true;
}

}  // namespace lmc::runtime

#include "runtime/kv_cache.h"

#include <algorithm>
#include <cstring>
#include <string>

#include "codegen/kernel_abi.h"
#include "ir/op_registry.h"
#include "support/checked_math.h"
#include "support/error.h"

namespace lmc::runtime {

namespace {

bool cache_shaped(const ir::Type& t) {
  if (t.rank() == 0) return false;
  for (size_t i = 0; i < t.rank(); ++i)
    if (t.dims[i].sym && !(i == 0 && *t.dims[i].sym == ir::Sym::C)) return false;
  return true;
}

// The positions a windowed reader of rings leaves as slack: their rows less its window.
int64_t ring_slack(const ir::Op& op) {
  if (!op.has_attr("window") || op.attr_int("window") <= 0) return INT64_MAX;
  int64_t slack = INT64_MAX;
  for (size_t i = 0; i < op.operands().size(); ++i) {
    const ir::Dim& rows = op.operand(i)->type().dims[0];
    if (ir::reads_cache(op, i) && rows.is_static()) slack = std::min(slack, rows.value - op.attr_int("window"));
  }
  return slack;
}

}  // namespace

KvCache::KvCache(const ir::Graph& g, int64_t context, int64_t sequences, bool unified, int64_t step_tokens)
    : context_(context), sequences_(sequences), pages_(sequences, context), window_pages_(sequences, context) {
  if (unified) pool_.emplace(pages_, kv_pages_per_sequence(context));
  for (const auto& op : g.ops())
    if (ir::writes_in_place(*op) && op->has_attr("window")) {
      windowed_.push_back(op->operand(0));
      window_ = std::max(window_, op->attr_int("window"));
    }
  if (window_ > 0) init_window_pages(unified, step_tokens);
  // A paged cache holds the pool's pages, or `sequences` contexts; a window's, its pool's
  // pages or `sequences` rings of pages.
  const int64_t paged_rows = unified ? pool_->pages() * kKvPageRows : ir::checked_mul(sequences, context, "KV rows");
  const int64_t window_rows =
      window_pool_ ? window_pool_->pages() * kKvPageRows : sequences * ring_pages_ * kKvPageRows;
  for (const auto& op : g.ops()) {
    rollback_limit_ = std::min(rollback_limit_, ring_slack(*op));
    if (!ir::writes_in_place(*op)) continue;
    const ir::Value* cache = op->operand(0);
    if (cache->def() || !cache_shaped(cache->type()))
      throw error_at(op->where(), "kv_write's cache operand '" + cache->name() +
                                      "' must be a graph argument with static dims, the first possibly C");
    if (find(cache)) continue;
    const bool paged = !cache->type().dims[0].is_static();
    const int64_t syms[ir::kNumSyms] = {0, 0, windowed(cache) ? window_rows : paged ? paged_rows : context};
    const int64_t bytes = ir::checked_mul(cache->type().bytes(syms), paged ? 1 : sequences, "KV cache bytes");
    buffers_.push_back({cache, AlignedBuffer(static_cast<uint64_t>(bytes))});
  }
}

// A step at P reads its window from P + 1 - window and writes up to P + step_tokens - 1: a
// span of ring_pages_ - 1 pages at most, and one more page lets a sequence go back.
void KvCache::init_window_pages(bool unified, int64_t step_tokens) {
  const int64_t per_sequence = window_pages_.pages_per_sequence();
  ring_pages_ = std::min(per_sequence, kv_pages_per_sequence(window_ + step_tokens - 1) + 2);
  if (unified) {
    // Each running sequence holds ring_pages_ - 1 at most; the rest hold a shared prompt's.
    window_pool_.emplace(window_pages_, ir::checked_mul(sequences_ + 1, ring_pages_, "KV window pages"));
    return;
  }
  for (int64_t s = 0; s < sequences_; ++s)
    for (int64_t j = 0; j < per_sequence; ++j)
      window_pages_.set_first_row(s, j, static_cast<int32_t>((s * ring_pages_ + j % ring_pages_) * kKvPageRows));
  // Position x is still in the ring after writing up to L - 1 while x >= L - 1 - (ring_pages_
  // - 1) * kKvPageRows; going back to P reads from P + 1 - window.
  if (ring_pages_ < per_sequence) rollback_limit_ = (ring_pages_ - 1) * kKvPageRows - window_ + 2;
}

bool KvCache::windowed(const ir::Value* arg) const {
  return std::find(windowed_.begin(), windowed_.end(), arg) != windowed_.end();
}

int64_t KvCache::window_first_page(int64_t pos) const {
  return window_ > 0 ? std::max<int64_t>(0, pos + 1 - window_) / kKvPageRows : 0;
}

void* KvCache::find(const ir::Value* arg) const {
  for (const Buffer& b : buffers_)
    if (b.arg == arg) return b.bytes.data();
  return nullptr;
}

uint64_t KvCache::bytes() const {
  uint64_t n = 0;
  for (const Buffer& b : buffers_) n += b.bytes.bytes();
  return n;
}

uint64_t KvCache::page_bytes(bool window) const {
  const int64_t one_page[ir::kNumSyms] = {0, 0, kKvPageRows};
  uint64_t n = 0;
  for (const Buffer& b : buffers_)
    if (!b.arg->type().dims[0].is_static() && windowed(b.arg) == window)
      n += static_cast<uint64_t>(b.arg->type().bytes(one_page));
  return n;
}

void KvCache::reset() {
  for (Buffer& b : buffers_) b.bytes.clear();
  if (pool_) pool_->clear();
  if (window_pool_) window_pool_->clear();
}

void KvCache::copy_page(int32_t from, int32_t to, bool window) {
  const int64_t one_row[ir::kNumSyms] = {0, 0, 1};
  for (Buffer& b : buffers_) {
    const ir::Type& t = b.arg->type();
    if (t.dims[0].is_static() || windowed(b.arg) != window) continue;
    const int64_t row_bytes = t.bytes(one_row);
    std::memcpy(b.bytes.data() + to * row_bytes, b.bytes.data() + from * row_bytes,
                static_cast<size_t>(kKvPageRows * row_bytes));
  }
}

std::vector<std::span<std::byte>> KvCache::sequence_bytes(int64_t seq, int64_t tokens) {
  if (seq < 0 || seq >= sequences_) throw Error("runtime: error: no sequence slot " + std::to_string(seq));
  if (tokens < 0 || tokens > context_)
    throw Error("runtime: error: " + std::to_string(tokens) + " positions do not fit the context of " +
                std::to_string(context_));
  const int64_t window_first = window_first_page(tokens);
  if (window_pool_) window_pool_->drop_before(seq, window_first);
  for (KvPagePool* p : {pool(), window_pool()})
    if (p && !p->grow(seq, tokens))
      throw Error("runtime: error: the KV pool has " + std::to_string(p->free_pages()) + " free pages of " +
                  std::to_string(kKvPageRows) + " positions; " + std::to_string(tokens) + " positions need " +
                  std::to_string(p->lacking(seq, tokens)) + " more");
  std::vector<std::span<std::byte>> spans;
  for (const Buffer& b : buffers_) {
    const ir::Type& t = b.arg->type();
    if (t.dims[0].is_static()) {
      const uint64_t per_sequence = b.bytes.bytes() / static_cast<uint64_t>(sequences_);
      spans.emplace_back(b.bytes.data() + per_sequence * static_cast<uint64_t>(seq), per_sequence);
      continue;
    }
    const int64_t one_row[ir::kNumSyms] = {0, 0, 1};
    const int64_t row_bytes = t.bytes(one_row);
    const bool window = windowed(b.arg);
    const KvPageTable& table = window ? window_pages_ : pages_;
    for (int64_t first = window ? window_first * kKvPageRows : 0; first < tokens; first += kKvPageRows)
      spans.emplace_back(b.bytes.data() + table.first_row(seq, first / kKvPageRows) * row_bytes,
                         static_cast<size_t>(std::min(kKvPageRows, tokens - first) * row_bytes));
  }
  return spans;
}

std::string KvCache::layout() const {
  std::string text;
  for (const Buffer& b : buffers_) text += b.arg->name() + ": " + b.arg->type().str() + "\n";
  return text;
}

}  // namespace lmc::runtime

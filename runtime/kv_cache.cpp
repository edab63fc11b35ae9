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

KvCache::KvCache(const ir::Graph& g, int64_t context, int64_t sequences, bool unified)
    : context_(context), sequences_(sequences), pages_(sequences, context) {
  if (unified) pool_.emplace(pages_, kv_pages_per_sequence(context));
  // A paged cache holds the pool's pages, or `sequences` contexts.
  const int64_t paged_rows = unified ? pool_->pages() * kKvPageRows : ir::checked_mul(sequences, context, "KV rows");
  for (const auto& op : g.ops()) {
    rollback_limit_ = std::min(rollback_limit_, ring_slack(*op));
    if (!ir::writes_in_place(*op)) continue;
    const ir::Value* cache = op->operand(0);
    if (cache->def() || !cache_shaped(cache->type()))
      throw error_at(op->where(), "kv_write's cache operand '" + cache->name() +
                                      "' must be a graph argument with static dims, the first possibly C");
    if (find(cache)) continue;
    const bool paged = !cache->type().dims[0].is_static();
    const int64_t syms[ir::kNumSyms] = {0, 0, paged ? paged_rows : context};
    const int64_t bytes = ir::checked_mul(cache->type().bytes(syms), paged ? 1 : sequences, "KV cache bytes");
    buffers_.push_back({cache, AlignedBuffer(static_cast<uint64_t>(bytes))});
  }
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

void KvCache::reset() {
  for (Buffer& b : buffers_) b.bytes.clear();
  if (pool_) pool_->clear();
}

void KvCache::copy_page(int32_t from, int32_t to) {
  const int64_t one_row[ir::kNumSyms] = {0, 0, 1};
  for (Buffer& b : buffers_) {
    const ir::Type& t = b.arg->type();
    if (t.dims[0].is_static()) continue;
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
  if (pool_ && !pool_->grow(seq, tokens))
    throw Error("runtime: error: the KV pool has " + std::to_string(pool_->free_pages()) + " free pages of " +
                std::to_string(kKvPageRows) + " positions; " + std::to_string(tokens) + " positions need " +
                std::to_string(pool_->lacking(seq, tokens)) + " more");
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
    for (int64_t first = 0; first < tokens; first += kKvPageRows)
      spans.emplace_back(b.bytes.data() + pages_.first_row(seq, first / kKvPageRows) * row_bytes,
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

#include "runtime/kv_cache.h"

#include "ir/checked_math.h"
#include "ir/error.h"
#include "ir/op_registry.h"

namespace lmc::runtime {

namespace {

bool cache_shaped(const ir::Type& t) {
  if (t.rank() == 0) return false;
  for (size_t i = 0; i < t.rank(); ++i)
    if (t.dims[i].sym && !(i == 0 && *t.dims[i].sym == ir::Sym::C)) return false;
  return true;
}

}  // namespace

KvCache::KvCache(const ir::Graph& g, int64_t context, int64_t sequences) : sequences_(sequences) {
  if (sequences < 1) throw Error("runtime: error: a KV cache needs at least one sequence slot");
  int64_t syms[ir::kNumSyms] = {0, 0, context};
  for (const auto& op : g.ops()) {
    if (!ir::writes_in_place(*op)) continue;
    const ir::Value* cache = op->operand(0);
    if (cache->def() || !cache_shaped(cache->type()))
      throw error_at(op->where(), "kv_write's cache operand '" + cache->name() +
                                      "' must be a graph argument with static dims, the first possibly C");
    if (find(cache)) continue;
    int64_t bytes = ir::checked_mul(cache->type().bytes(syms), sequences, "KV cache bytes");
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
}

}  // namespace lmc::runtime

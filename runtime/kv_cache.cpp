#include "runtime/kv_cache.h"

#include "ir/error.h"
#include "ir/op_registry.h"

namespace lmc::runtime {

KvCache::KvCache(const ir::Graph& g) {
  for (const auto& op : g.ops()) {
    if (!ir::writes_in_place(*op)) continue;
    const ir::Value* cache = op->operand(0);
    if (cache->def() || !cache->type().is_static())
      throw error_at(op->where(), "kv_write's cache operand '" + cache->name() +
                                      "' must be a graph argument with a static shape");
    if (find(cache)) continue;
    buffers_.push_back({cache, AlignedBuffer(static_cast<uint64_t>(cache->type().bytes(nullptr)))});
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

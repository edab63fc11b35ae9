// The persistent state of a graph: one zero-initialised buffer per KV-cache argument
// (operand 0 of a kv_write), shaped as the graph declares it — [context, W] for
// global layers, a ring of [window + step_tokens, W] for sliding-window ones.
#pragma once
#include <cstdint>
#include <memory>
#include <vector>

#include "ir/graph.h"

namespace lmc::runtime {

class KvCache {
 public:
  explicit KvCache(const ir::Graph& g);
  ~KvCache();
  KvCache(const KvCache&) = delete;
  KvCache& operator=(const KvCache&) = delete;

  struct Buffer {
    const ir::Value* arg;
    void* data;
    uint64_t bytes;
  };
  const std::vector<Buffer>& buffers() const { return buffers_; }
  // nullptr when `arg` is not a cache argument.
  void* find(const ir::Value* arg) const;
  uint64_t bytes() const;
  void reset();  // zeroes every buffer

 private:
  std::vector<Buffer> buffers_;
};

}  // namespace lmc::runtime

// The persistent state of a graph: one zero-initialised buffer per KV-cache argument
// (operand 0 of a kv_write), sized by the argument's type, so rows of its dtype (f32, f16
// or q8_0 blocks, as the kv-cache-type pass chose). The argument's type is one sequence's cache — [C, W] for
// global layers, with C the context chosen at run time, a ring of [window +
// step_tokens, W] for sliding-window ones — and the buffer holds `sequences` of them
// back to back, one per sequence slot, as kv_write and attention address them (row r
// of a step uses the cache of its sequence, seq[r]). One buffer per argument rather
// than one per slot keeps the kernel ABI a single pointer per operand.
#pragma once
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "ir/graph.h"
#include "runtime/aligned_buffer.h"

namespace lmc::runtime {

class KvCache {
 public:
  // Throws lmc::Error when a kv_write's cache operand is not a graph argument of static
  // width whose rows are static or C.
  KvCache(const ir::Graph& g, int64_t context, int64_t sequences);
  KvCache(const KvCache&) = delete;
  KvCache& operator=(const KvCache&) = delete;

  struct Buffer {
    const ir::Value* arg;
    AlignedBuffer bytes;
  };
  const std::vector<Buffer>& buffers() const { return buffers_; }
  // nullptr when `arg` is not a cache argument.
  void* find(const ir::Value* arg) const;
  uint64_t bytes() const;
  int64_t sequences() const { return sequences_; }
  // How far back a sequence may move its position and still find every window whole: a
  // ring of window + step_tokens rows keeps the step_tokens rows before the window, so a
  // sequence that wrote up to L and goes back to P attends as if it had stopped at P while
  // L - P <= the limit. No limit (INT64_MAX) without rings.
  int64_t rollback_limit() const { return rollback_limit_; }
  void reset();  // zeroes every buffer

  // The bytes of sequence `seq`'s caches that hold its positions [0, tokens), buffer by
  // buffer: the first `tokens` rows of a cache of C rows, and the whole of a ring (its rows
  // are positions modulo its size, so it holds the last ones whatever `tokens` is). What a
  // snapshot of the sequence saves and restores (runtime/kv_snapshot.h). Throws lmc::Error
  // when `seq` or `tokens` is out of range.
  std::vector<std::span<std::byte>> sequence_bytes(int64_t seq, int64_t tokens) const;
  // The caches' arguments and types, one "name: type" line each ("k0: f16[C,192]"): caches
  // of the same layout hold each other's rows, whatever their context.
  std::string layout() const;

 private:
  std::vector<Buffer> buffers_;
  int64_t context_;
  int64_t sequences_;
  int64_t rollback_limit_ = INT64_MAX;
};

}  // namespace lmc::runtime

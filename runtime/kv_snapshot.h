// A sequence's KV cache in a file (llama-server's slot save and restore, llama.cpp's
// --prompt-cache): the tokens it holds and their K/V rows for every layer, in the caches'
// own types (KvCache::sequence_bytes). Little-endian:
//   header  "LMCKVSN1", u32 version, u32 zero, u64 identity, u64 token count n,
//           u64 row bytes, u64 body digest (runtime/artifact/digest.h's digest64)
//   body    n i32 tokens, then the row bytes, buffer after buffer
// The identity (kv_snapshot_identity) digests the model's identity and the caches' layout, so
// a file saved from another model, compile or cache type is refused before any row is read;
// the digest catches a damaged body. A file is written beside its name and renamed over it,
// so a reader never sees half of one.
#pragma once
#include <cstddef>
#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <vector>

namespace lmc::runtime {

inline constexpr uint32_t kKvSnapshotVersion = 1;
inline constexpr uint64_t kKvSnapshotHeaderBytes = 48;

// `model`: what computed the rows (driver/model_identity.h); `layout`: KvCache::layout().
uint64_t kv_snapshot_identity(uint64_t model, const std::string& layout);

// Writes the snapshot to `path` (a temporary beside it, renamed over it); returns the bytes
// written. Throws lmc::Error "<path>: error: ..." when `path` is something other than a
// regular file (a link, a FIFO, a folder: never replaced) or cannot be written.
uint64_t write_kv_snapshot(const std::string& path, uint64_t identity, std::span<const int32_t> tokens,
                           const std::vector<std::span<std::byte>>& rows);

// What a snapshot must agree with to be read.
struct KvSnapshotExpect {
  uint64_t identity = 0;
  int64_t max_tokens = 0;  // the context
  int64_t vocab = 0;       // every token below it
};

struct KvSnapshotRead {
  std::vector<int32_t> tokens;
  uint64_t bytes = 0;  // the file's
};

// Reads the snapshot at `path`: checks its header against `expect`, asks `rows(n)` where the
// rows of its n tokens go, fills them, and returns the tokens. Throws lmc::Error
// "<path>: error: <why>" for a missing file or one that is not a regular file, not a
// snapshot, of another version or identity, truncated, with rows of another size or a body
// that does not match its digest: the places `rows` gave may then hold part of the file.
KvSnapshotRead read_kv_snapshot(const std::string& path, const KvSnapshotExpect& expect,
                                const std::function<std::vector<std::span<std::byte>>(int64_t)>& rows);

}  // namespace lmc::runtime

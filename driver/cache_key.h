// What names a compiled model in the compile cache (driver/compile_cache.h): a digest of
// everything the artifact depends on — the weights' content (every byte, not name, size or
// mtime), the definition's text, the pipeline and its options, pass plugins and cost table
// by content (the tuner's options and forcing among them: --tune, --prefill-kernel, which
// --amx-bf16 sets), the target (a native one by this CPU's identity, and the tile unit as
// granted or refused: what the resolved target keeps of AMX), the key that seals it, and
// the lmc build itself (its executable and code generator by content, LLVM's version), so a
// rebuilt lmc or a changed kernel emitter never runs a stale entry.
#pragma once
#include <string>

#include "driver/compile.h"

namespace lmc::driver {

struct CacheKey {
  std::string hex;       // 16 hex digits: the entry's file name
  std::string model;     // the weights' absolute path, for `lmc cache list`
  std::string settings;  // pipeline, options and target in words, for `lmc cache list`
};

// `r.model` must be weights (a .gguf or a Hugging Face folder).
CacheKey cache_key(const CompileRequest& r);

// Whether `r` asks to watch its compile (IR printing or dumps, remarks, pass timings or
// statistics, bisection, kernel dumps, the stage log): that compile must run, so it is never
// answered from the cache.
bool watches_compile(const CompileRequest& r);

}  // namespace lmc::driver

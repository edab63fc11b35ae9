// The compile cache: `lmc run|chat|serve|bench` on weights (a .gguf, a Hugging Face folder)
// compile once and open the sealed artifact every later time. An entry is
// <dir>/<key>.lmc (driver/cache_key.h) with <key>.txt saying what it holds; it is written
// through the artifact writer (a temporary renamed into place), under a per-key lock so
// that of two processes compiling the same model at once one compiles and the other waits
// for its artifact. The cache is bounded: past its size the least recently used entries go.
#pragma once
#include <cstdint>
#include <ctime>
#include <string>
#include <vector>

#include "driver/compile.h"
#include "driver/write_artifact.h"

namespace lmc::driver {

// $XDG_CACHE_HOME/lmc, else ~/.cache/lmc.
std::string default_cache_dir();

struct CacheEntry {
  std::string key, path;  // the artifact
  std::string model;      // the weights it was compiled from
  std::string settings;   // pipeline, options, target
  uint64_t bytes = 0;
  std::time_t last_used = 0;
};

struct CachedArtifact {
  std::string path;
  bool compiled = false;  // by this call (else found in the cache)
  double compile_seconds = 0;
};

class CompileCache {
 public:
  // Throws lmc::Error when `dir` cannot be created.
  CompileCache(std::string dir, uint64_t max_bytes);

  const std::string& dir() const { return dir_; }
  // The artifact `r` compiles to (r.model is weights), compiled and stored first when the
  // cache lacks it; `progress` sees the weights packed.
  CachedArtifact get(const CompileRequest& r, const PackProgress& progress = {});
  // Removes an entry that would not open (truncated, corrupt): the next get compiles anew.
  void forget(const std::string& artifact_path);
  // Least recently used first.
  std::vector<CacheEntry> list() const;
  // Removes every entry (and abandoned temporaries) no process is writing; returns the
  // bytes freed.
  uint64_t clear();

 private:
  std::string file(const std::string& key, const char* ext) const;
  void evict(const std::string& keep);

  std::string dir_;
  uint64_t max_bytes_;
};

}  // namespace lmc::driver

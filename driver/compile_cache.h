// The compile cache: `lmc run|chat|serve|bench` on weights (a .gguf, a Hugging Face folder,
// an mmproj's vision tower: driver/image_encoder.h) compile once and open the sealed
// artifact every later time. An entry is
// <dir>/<key>.lmc (driver/cache_key.h) with <key>.txt saying what it holds; it is written
// through the artifact writer (a temporary renamed into place), under a per-key lock so
// that of two processes compiling the same model at once one compiles and the other waits
// for its artifact; the lock's file, <key>.lock, is removed as it is released
// (support/file_lock.h). A temporary whose writer died (killed mid-compile) is removed when
// the cache is next opened (support/temporary_files.h), and so is a lock file no one holds.
// The cache is bounded: past its size (temporaries count), or when its disk would keep less
// than the free space asked for, the least recently used entries go; an entry the disk has
// no room for is not made (the caller compiles in memory), so a full disk or a read-only
// cache folder (one there already, or one that cannot be made) never fails a run.
#pragma once
#include <cstdint>
#include <ctime>
#include <optional>
#include <string>
#include <vector>

#include "driver/compile.h"
#include "driver/write_artifact.h"
#include "support/error.h"
#include "support/file_lock.h"
#include "support/temporary_files.h"

namespace lmc::driver {

// The cache's folder cannot be made (a read-only filesystem, no permission): a caller that
// can compile in memory instead tells it apart.
class CacheUnavailable : public Error {
 public:
  using Error::Error;
};

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
  // The entry's lock, held until the caller has mapped the artifact (then reset): another
  // process's eviction must not remove it in between.
  std::optional<FileLock> hold;
};

class CompileCache {
 public:
  // At most `max_bytes` of entries, and at least `min_free_bytes` left free on the disk
  // beside them. Removes the temporaries and lock files abandoned in it. Throws
  // CacheUnavailable when `dir` cannot be created.
  CompileCache(std::string dir, uint64_t max_bytes, uint64_t min_free_bytes);

  const std::string& dir() const { return dir_; }
  // The artifact `r` compiles to (r.model is weights), compiled and stored first when the
  // cache lacks it; `progress` sees the weights packed. Nothing, with a warning, when the
  // disk has no room for the entry even after eviction, or the folder cannot be written.
  std::optional<CachedArtifact> get(const CompileRequest& r, const PackProgress& progress = {});
  // Removes an entry that would not open (truncated, corrupt): the next get compiles anew.
  void forget(const std::string& artifact_path);
  // Least recently used first.
  std::vector<CacheEntry> list() const;
  // The temporaries other lmc processes are writing (entries, kernel objects).
  std::vector<runtime::Temporary> being_written() const;
  // Removes every entry (and abandoned temporaries) no process is writing; returns the
  // bytes freed.
  uint64_t clear();

 private:
  std::string file(const std::string& key, const char* ext) const;
  // Evicts until the entries and `incoming` more bytes fit the bound and leave
  // min_free_bytes_ free; returns whether the disk then has room for `incoming`.
  bool make_room(const std::string& keep, uint64_t incoming);
  void warn_no_room(const std::string& model, uint64_t incoming) const;

  std::string dir_;
  uint64_t max_bytes_, min_free_bytes_;
};

}  // namespace lmc::driver

#include "driver/compile_cache.h"

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <set>

#include "driver/cache_key.h"
#include "driver/kernel_object_cache.h"
#include "support/error.h"
#include "support/file_lock.h"
#include "support/pending_file.h"
#include "support/temporary_files.h"

namespace lmc::driver {

namespace fs = std::filesystem;

namespace {

std::time_t to_time_t(fs::file_time_type t) {
  return std::chrono::system_clock::to_time_t(std::chrono::file_clock::to_sys(t));
}

// The description beside an entry: two lines, the weights and the settings.
void write_description(const std::string& path, const CacheKey& key) {
  runtime::write_output(path, key.model + "\n" + key.settings + "\n");
}

void read_description(const std::string& path, CacheEntry& e) {
  std::ifstream in(path);
  std::getline(in, e.model);
  std::getline(in, e.settings);
}

// The key's lock, saying so when another process holds it (it is compiling this model).
// Nothing when the lock cannot be made (a read-only cache folder).
std::optional<FileLock> lock_key(const std::string& lock_path, const std::string& model) {
  try {
    FileLock lock = FileLock::try_lock(lock_path);
    if (lock.owns()) return lock;
    std::cerr << "lmc: " << model << ": another lmc is compiling this model into the cache; waiting for it\n";
    return FileLock(lock_path);
  } catch (const Error& e) {
    std::cerr << "warning: " << e.what() << "\n";
    return std::nullopt;
  }
}

// The weights' bytes (a file, or a folder's files): about what their artifact will take.
uint64_t bytes_on_disk(const std::string& path) {
  std::error_code ec;
  if (!fs::is_directory(path, ec)) return fs::file_size(path, ec);
  uint64_t total = 0;
  for (const auto& f : fs::recursive_directory_iterator(path, ec))
    if (f.is_regular_file(ec)) total += f.file_size(ec);
  return total;
}

// Unknown (the filesystem would not say) counts as plenty: the write itself still reports
// a full disk.
uint64_t free_bytes(const std::string& dir) {
  std::error_code ec;
  fs::space_info s = fs::space(dir, ec);
  return ec ? UINT64_MAX / 2 : s.available;
}

void remove_quietly(const std::string& path) {
  std::error_code ec;
  fs::remove(path, ec);
}

// The files in `dir` named <stem><ext>.
std::vector<std::string> files_ending(const std::string& dir, const char* ext) {
  std::vector<std::string> out;
  std::error_code ec;
  for (const auto& f : fs::directory_iterator(dir, ec))
    if (f.path().extension() == ext) out.push_back(f.path().string());
  return out;
}

// Lock files whose holder could not remove them (it was killed outright): one no process
// holds is taken, and so removed (support/file_lock.h).
void remove_unheld_locks(const std::string& dir) {
  for (const auto& path : files_ending(dir, ".lock")) {
    try {
      FileLock::try_lock(path);  // let go at once: unlinked unless another process holds it
    } catch (const Error&) {  // a read-only cache: it stays, harmless
    }
  }
}

}  // namespace

std::string default_cache_dir() {
  if (const char* x = std::getenv("XDG_CACHE_HOME"); x && *x) return std::string(x) + "/lmc";
  if (const char* h = std::getenv("HOME"); h && *h) return std::string(h) + "/.cache/lmc";
  throw Error("lmc: error: cannot find the compile cache: set XDG_CACHE_HOME or HOME, or give --cache-dir");
}

CompileCache::CompileCache(std::string dir, uint64_t max_bytes, uint64_t min_free_bytes)
    : dir_(std::move(dir)), max_bytes_(max_bytes), min_free_bytes_(min_free_bytes) {
  std::error_code ec;
  fs::create_directories(dir_, ec);
  if (ec || !fs::is_directory(dir_))
    throw CacheUnavailable(dir_ + ": error: cannot create the compile cache: " + ec.message());
  // What lmc processes killed while writing here left (the kernel object cache's too).
  runtime::remove_abandoned_temporaries(dir_);
  remove_unheld_locks(dir_);
  runtime::remove_abandoned_temporaries(kernel_objects_dir(dir_));
}

std::string CompileCache::file(const std::string& key, const char* ext) const { return dir_ + "/" + key + ext; }

std::optional<CachedArtifact> CompileCache::get(const CompileRequest& r, const PackProgress& progress) {
  CacheKey key = cache_key(r);
  CachedArtifact out;
  out.path = file(key.hex, ".lmc");
  out.hold = lock_key(file(key.hex, ".lock"), r.model);
  std::error_code ec;
  if (fs::exists(out.path, ec)) {
    fs::last_write_time(out.path, fs::file_time_type::clock::now(), ec);  // most recently used
    return out;
  }
  if (!out.hold) {
    std::cerr << "lmc: " << r.model << ": the compile cache " << dir_
              << " cannot be written: compiling it in memory for this run\n";
    return std::nullopt;
  }
  uint64_t incoming = bytes_on_disk(r.model);
  if (!make_room(key.hex, incoming)) {
    warn_no_room(r.model, incoming);
    return std::nullopt;
  }
  auto t0 = std::chrono::steady_clock::now();
  try {
    // The compiled model (and the weights it maps) is gone before the artifact is opened:
    // the two never hold memory at once.
    CompiledModel c = compile_graph(r);
    write_artifact(c, r, out.path, progress);
  } catch (const runtime::NoSpaceLeft& e) {  // the estimate was short, or another writer took the room
    std::cerr << "warning: " << e.what() << "\nlmc: " << r.model << ": compiling it in memory for this run\n";
    return std::nullopt;
  }
  try {
    write_description(file(key.hex, ".txt"), key);
  } catch (const Error& e) {  // the entry stands without it: lmc cache list shows no model
    std::cerr << "warning: " << e.what() << "\n";
  }
  out.compiled = true;
  out.compile_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  make_room(key.hex, 0);
  return out;
}

void CompileCache::forget(const std::string& artifact_path) {
  std::string key = fs::path(artifact_path).stem().string();
  FileLock lock(file(key, ".lock"));
  remove_quietly(file(key, ".lmc"));
  remove_quietly(file(key, ".txt"));
}

std::vector<CacheEntry> CompileCache::list() const {
  std::vector<CacheEntry> out;
  for (const auto& f : fs::directory_iterator(dir_)) {
    std::error_code ec;
    if (f.path().extension() != ".lmc" || !f.is_regular_file(ec)) continue;
    CacheEntry e;
    e.key = f.path().stem().string();
    e.path = f.path().string();
    e.bytes = f.file_size(ec);
    e.last_used = to_time_t(f.last_write_time(ec));
    if (ec) continue;  // removed meanwhile
    read_description(file(e.key, ".txt"), e);
    out.push_back(e);
  }
  std::sort(out.begin(), out.end(), [](const CacheEntry& a, const CacheEntry& b) {
    return a.last_used != b.last_used ? a.last_used < b.last_used : a.key < b.key;
  });
  return out;
}

std::vector<runtime::Temporary> CompileCache::being_written() const {
  std::vector<runtime::Temporary> out = runtime::find_temporaries(dir_);
  for (runtime::Temporary& t : runtime::find_temporaries(kernel_objects_dir(dir_))) out.push_back(std::move(t));
  return out;
}

// Oldest first until the rest fit; an entry some process holds the lock of (it is being
// looked up, opened or written) stays, and so does `keep`, the entry being made, even alone
// over the bound: the run that makes it needs it.
bool CompileCache::make_room(const std::string& keep, uint64_t incoming) {
  auto entries = list();
  uint64_t total = 0;
  for (const auto& e : entries) total += e.bytes;
  for (const auto& t : being_written()) total += t.bytes;  // they take the disk as much
  uint64_t free = free_bytes(dir_);
  auto disk_has_room = [&] { return free >= incoming + min_free_bytes_; };
  for (const auto& e : entries) {
    if (total + incoming <= max_bytes_ && disk_has_room()) break;
    if (e.key == keep) continue;
    FileLock lock = FileLock::try_lock(file(e.key, ".lock"));
    if (!lock.owns()) continue;
    remove_quietly(e.path);
    remove_quietly(file(e.key, ".txt"));
    total -= e.bytes;
    free += e.bytes;
  }
  if (incoming == 0 && total > max_bytes_)
    std::cerr << "warning: " << dir_ << ": the compile cache holds " << total / 1e9 << " GB, over its bound of "
              << max_bytes_ / 1e9 << " GB (--cache-max-gb): the newest entry alone is larger\n";
  return disk_has_room();
}

void CompileCache::warn_no_room(const std::string& model, uint64_t incoming) const {
  std::cerr << "warning: " << dir_ << ": " << free_bytes(dir_) / 1e9 << " GB free on its disk, too little for " << model
            << " compiled (about " << incoming / 1e9 << " GB) and the " << min_free_bytes_ / 1e9
            << " GB to leave free (--cache-min-free-gb): compiling it in memory for this run (free space, lmc cache "
               "clear, or "
               "--cache-dir on another disk)\n";
}

// Key by key, under the key's lock: an entry another process holds (it is writing or
// opening it) stays. Keys come from the entries and the locks (of entries being written).
uint64_t CompileCache::clear() {
  uint64_t freed = 0;
  std::set<std::string> keys;
  for (const char* ext : {".lmc", ".lock"})
    for (const auto& path : files_ending(dir_, ext)) keys.insert(fs::path(path).stem().string());
  std::vector<fs::path> files;
  for (const auto& f : fs::directory_iterator(dir_)) files.push_back(f.path());
  for (const auto& key : keys) {
    FileLock lock = FileLock::try_lock(file(key, ".lock"));
    if (!lock.owns()) continue;
    for (const auto& f : files) {
      std::string name = f.filename().string();
      // <key>.lmc, .txt, .lmc.tmp.<pid>; the lock goes as it is released
      if (name.rfind(key + ".", 0) != 0 || f.extension() == ".lock") continue;
      std::error_code ec;
      uint64_t bytes = fs::file_size(f, ec);
      if (fs::remove(f, ec)) freed += ec ? 0 : bytes;
    }
  }
  return freed + KernelObjectCache(kernel_objects_dir(dir_)).clear();
}

}  // namespace lmc::driver

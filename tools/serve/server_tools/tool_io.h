// Where a tool's files and commands are: this machine (host_io.h) or an isolate reached by
// commands — a container through `docker|podman exec`, a host over ssh (isolate_io.h). The
// tools see only this interface, so each runs the same in either.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "tools/serve/server_tools/child_process.h"

namespace lmc::tools::server_tools {

enum class EntryKind { Files, Dirs, All };

struct ListedEntry {
  std::string rel;  // '/'-separated, relative to the listed folder
  bool is_dir = false;
};

struct Listing {
  std::vector<ListedEntry> entries;
  std::string error;       // set when the base is not a folder
  bool truncated = false;  // a time budget or an unreadable folder hid some
};

class ToolIo {
 public:
  virtual ~ToolIo() = default;
  // `path` against the call's working directory ("~" is the home folder on this machine); an
  // absolute path as it is.
  virtual std::string resolve(const std::string& path) const = 0;
  virtual bool is_directory(const std::string& path) const = 0;
  virtual bool is_file(const std::string& path) const = 0;
  virtual std::optional<uint64_t> file_size(const std::string& path) const = 0;
  virtual std::optional<std::string> read(const std::string& path) const = 0;
  // Creates the folders it needs.
  virtual bool write(const std::string& path, const std::string& content) const = 0;
  // The files (and folders, as `kind` asks) under `base` (resolved), `max_depth` levels deep
  // (0: all); folders that are build output or caches (kJunkDirs) are listed, never entered.
  virtual Listing list(const std::string& base, int max_depth, EntryKind kind) const = 0;
  // Runs `argv` in the call's working directory.
  virtual CommandResult run(CommandSpec spec) const = 0;
};

// Folders a listing shows but never walks into: they can be enormous.
extern const std::vector<std::string> kJunkDirs;

// "a/b/c" is 3 levels deep.
int depth_of(const std::string& rel);

}  // namespace lmc::tools::server_tools

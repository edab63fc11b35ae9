// The temporaries an output is written through (support/pending_file.h), named
// "<file>.tmp.<pid>[.<n>]" beside it, and how a later lmc tells the ones whose writer is
// gone. The writer holds an flock on its temporary from creation to rename or removal; the
// kernel drops that lock when the process dies, however it dies (SIGKILL, an OOM kill, a
// closed terminal), so a temporary no one has locked was abandoned. The pid in the name
// covers the instant between the file's creation and its lock: an unlocked temporary whose
// pid is alive is left alone while it is younger than a few seconds (a pid since reused by
// another process only delays its removal to that age).
#pragma once
#include <cstdint>
#include <string>
#include <vector>

namespace lmc::runtime {

// A new temporary's name for `file`: "<file>.tmp.<pid>", and ".<n>" after it for the
// process's later ones, so two writers of one file in one process never share it.
std::string temporary_name(const std::string& file);

// Creates (or truncates) the temporary `path` with permissions `mode` and locks it as its
// writer's: a descriptor open for reading and writing, or -1 with errno set. The lock lasts
// while any duplicate of the descriptor is open.
int create_temporary(const std::string& path, unsigned mode);

struct Temporary {
  std::string path;
  uint64_t bytes = 0;
  int pid = 0;             // its writer's, from its name
  bool abandoned = false;  // its writer is gone
};

// The temporaries in `folder`: those of the file named `of` in it, or every one when `of`
// is empty. Nothing when the folder cannot be read.
std::vector<Temporary> find_temporaries(const std::string& folder, const std::string& of = "");

// Removes the abandoned temporaries find_temporaries(folder, of) sees; returns the bytes freed.
uint64_t remove_abandoned_temporaries(const std::string& folder, const std::string& of = "");

}  // namespace lmc::runtime

// What a process must not leave behind when a signal ends it: the temporaries of its
// pending outputs (support/pending_file.h), the lock files it holds (support/file_lock.h),
// and the process groups of the commands and servers it started (lmc serve's tools). A signal handler may only call
// async-signal-safe functions, so the names live in fixed buffers, each published by an atomic flag once it is written.
// SIGINT, SIGTERM and SIGHUP left at their default remove them and then end the process as
// the signal would; a process that handles a signal itself (support/cancellation.h) calls
// remove_exit_files_now() as it ends.
#pragma once
#include <string>

namespace lmc {

// Lists `path` for removal at a signal's end; the slot to give back, or -1 when every
// slot is taken (the file is then still removed by its owner on an exception, not on a
// signal).
int remove_at_exit(const std::string& path);
// The file is the process's no longer (renamed, removed, let go).
void keep_at_exit(int slot);
// Lists the process group `group` (its leader's pid) to be killed at a signal's end; the
// slot to give back once the group is reaped, or -1 when every slot is taken.
int kill_group_at_exit(int group);
void keep_group_at_exit(int slot);
// Unlinks every listed file and kills every listed group: for a signal handler that ends
// the process (async-signal-safe).
void remove_exit_files_now() noexcept;

}  // namespace lmc

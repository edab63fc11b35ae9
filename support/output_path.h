// What an output path names, and so how lmc may write it: the one rule every writer follows
// (through PendingFile and DumpFolder). A regular file, or a path where nothing is yet, is
// replaced whole by a rename from beside it; a symbolic link is followed first, so the file
// it names is replaced and the link stays (as GCC and clang write through one). A character
// device, FIFO or socket (/dev/null, /dev/stdout, a named pipe) is not lmc's to replace: its
// bytes are written straight into it. "-" is standard output, and /dev/fd/N and
// /proc/self/fd/N are this process's descriptor N, whatever it is open on (a shell's
// `> out.txt` keeps its offset and its file). A directory or block device is refused.
#pragma once
#include <string>

namespace lmc::runtime {

struct OutputPath {
  enum class Kind {
    File,       // replace `file` (a regular file, or nothing yet) by a rename beside it
    Directory,  // a folder (DumpFolder's files go in it; a file output refuses it)
    Stream,     // write into it: open_output_stream()
  };
  Kind kind = Kind::File;
  // Where the bytes go after the links: the file to replace, the folder, or the node.
  std::string file;
  // A descriptor the path names ("-", /dev/fd/N, /proc/self/fd/N), else -1.
  int descriptor = -1;
};

// Follows `path`'s links and says what it names. Throws lmc::Error "<path>: error: cannot
// write: ..." for an empty path, a block device, a loop of links or a path lmc cannot stat.
OutputPath classify_output(const std::string& path);

// Opens a Stream for writing (close-on-exec): a descriptor is duplicated, a FIFO or device
// opened write-only (a FIFO waits for its reader, as any writer's open does), a socket
// connected to. The caller closes it. Throws lmc::Error naming `path` when it cannot be.
int open_output_stream(const OutputPath& out, const std::string& path);

// Writes all of `bytes` to `fd`, through short writes and EINTR; false with errno set when
// the descriptor refuses (a full disk, a reader gone).
bool write_all(int fd, const char* bytes, size_t size);

}  // namespace lmc::runtime

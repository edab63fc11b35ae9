// Where a command's dump files go (--dump-ir-dir, --dump-llvm-ir, --dump-asm, lmc exec's
// --output-dir): a folder, created when missing, each file in it written whole by the rule
// of support/output_path.h (a temporary beside it, renamed). Or a stream (/dev/null, a FIFO,
// "-" for standard output), opened once, into which every file's text is written in turn,
// so `--dump-llvm-ir=-` prints each kernel's IR (each begins by naming its kernel) and
// `--dump-llvm-ir=/dev/null` checks that they are made without keeping them. A file where
// the folder should be is refused by name.
#pragma once
#include <optional>
#include <string>
#include <string_view>

namespace lmc::runtime {

class DumpFolder {
 public:
  // Opens a stream at once (a bad one fails before the work); a folder is made on the first
  // write. Throws lmc::Error "<path>: error: ..." naming the path given.
  explicit DumpFolder(std::string path);
  ~DumpFolder();
  DumpFolder(const DumpFolder&) = delete;
  DumpFolder& operator=(const DumpFolder&) = delete;

  void write(const std::string& name, std::string_view bytes);
  // Where `name` goes, for messages: "<folder>/<name>", or the stream's path.
  std::string where(const std::string& name) const;
  // The file `name` would be, for a program that writes it itself; none into a stream.
  std::optional<std::string> file(const std::string& name) const;
  const std::string& path() const { return path_; }

 private:
  std::string path_;
  int stream_ = -1;
  bool made_ = false;  // the folder exists
};

}  // namespace lmc::runtime

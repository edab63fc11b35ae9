// A private temporary directory (mkdtemp under $TMPDIR, else /tmp) that goes, with all it
// holds, when the object does: for files a command writes only while it runs.
#pragma once
#include <string>

namespace lmc {

class ScratchDir {
 public:
  // `stem` names it ("lmc-lit" -> /tmp/lmc-lit-XXXXXX); `purpose` says what it is for in
  // the lmc::Error thrown when it cannot be made.
  ScratchDir(const std::string& stem, const std::string& purpose);
  ~ScratchDir();
  ScratchDir(const ScratchDir&) = delete;
  ScratchDir& operator=(const ScratchDir&) = delete;

  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

}  // namespace lmc

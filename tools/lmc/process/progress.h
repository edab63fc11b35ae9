// A one-line progress bar on stderr for the long steps of `lmc compile`, shown only
// when stderr is a terminal (logs and tests stay clean).
#pragma once
#include <cstdint>
#include <string>

namespace lmc::tools {

class Progress {
 public:
  Progress(std::string label, int64_t total);
  ~Progress();
  void update(int64_t done);

 private:
  std::string label_;
  int64_t total_;
  bool tty_;
  int last_percent_ = -1;
};

}  // namespace lmc::tools

#include "tools/lmc/process/progress.h"

#include <unistd.h>

#include <cstdio>

namespace lmc::tools {

Progress::Progress(std::string label, int64_t total)
    : label_(std::move(label)), total_(total > 0 ? total : 1), tty_(isatty(STDERR_FILENO)) {
  update(0);
}

Progress::~Progress() {
  if (tty_) std::fprintf(stderr, "\r\033[K");
}

void Progress::update(int64_t done) {
  if (!tty_) return;
  int percent = static_cast<int>(done * 100 / total_);
  if (percent == last_percent_) return;
  last_percent_ = percent;
  constexpr int kWidth = 30;
  std::string bar(percent * kWidth / 100, '#');
  bar.resize(kWidth, '.');
  std::fprintf(stderr, "\r%-12s [%s] %3d%%", label_.c_str(), bar.c_str(), percent);
  std::fflush(stderr);
}

}  // namespace lmc::tools

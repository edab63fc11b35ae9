// The passes part of a compile report, recorded as the pipeline runs: each pass with its
// statistics and time, the unified diff of the IR text it changed, pictures of the graph
// before and after it, and the remarks it made, each beside the line of the op it is
// about (in the graph the pass left, or the one it started from when it removed the op).
#pragma once
#include <string>
#include <vector>

#include "driver/report/report_model.h"
#include "passes/pass_observer.h"

namespace lmc::report {

class PassRecorder : public passes::PassObserver {
 public:
  // `pictures`: draw the graph before and after each pass that changed it.
  explicit PassRecorder(bool pictures = true) : pictures_(pictures) {}
  void pass_ran(const passes::PassRun& run) override;
  const std::vector<PassStep>& steps() const { return steps_; }
  // The graph's text after the last pass; "" before any ran.
  const std::string& final_ir() const { return final_ir_; }

 private:
  bool pictures_;
  std::vector<PassStep> steps_;
  size_t remarks_seen_ = 0;
  std::string final_ir_;
};

// The line of `text` (a printed graph) whose op defines %value, trimmed; "" when none does.
std::string defining_line(const std::string& text, const std::string& value);

}  // namespace lmc::report

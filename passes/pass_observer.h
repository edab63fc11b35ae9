// What a listener to a pipeline sees (the compile report, driver/report/): each pass as it
// ran, with the graph's text before and after it and the remarks made so far.
// The pass manager calls it only when one is set, so a compile without a report pays
// nothing for it.
#pragma once
#include <string>
#include <vector>

#include "ir/graph.h"
#include "passes/api/pass_context.h"

namespace lmc::passes {

struct PassRun {
  int index = 0;  // 1-based position in the pipeline
  std::string name;
  bool changed = false;
  double seconds = 0;
  std::vector<std::string> stats;
  const std::string* before = nullptr;  // the graph's text when the pass started
  const std::string* after = nullptr;   // and when it returned (equal when unchanged)
  const ir::Graph* graph = nullptr;     // the graph after the pass
  const std::vector<Remark>* remarks = nullptr;  // every pass's so far, in order
};

class PassObserver {
 public:
  virtual ~PassObserver() = default;
  virtual void pass_ran(const PassRun& run) = 0;
};

}  // namespace lmc::passes

// Placement: why a pass matches less where it is placed than it would earlier. A pass
// with a pattern (Pass::candidates) has its places found at every point of the pipeline
// before it: a pass after which a place is gone took it, either wrapping some of its ops
// in a fusion region (a value the place defined is now defined inside a fusion's body:
// value names are stable across rewrites) or rewriting them. A watched pass gets one
// remark per such earlier pass: missed when it then changed nothing ("3 candidates are
// inside regions made by fuse-elementwise; place this pass before it"), an analysis when
// it fused the rest, so no pass loses candidates silently; `lmc opt --explain-placement=P` prints the counts at every
// point for a pass run without P (the pipeline's own P taken out). A pass placed twice taking its own candidates is not
// remarked: it cannot be placed before itself.
#pragma once
#include <set>
#include <string>
#include <vector>

#include "ir/graph.h"
#include "passes/api/pass.h"

namespace lmc::passes {

class PlacementWatch {
 public:
  // `pipeline`: the passes in the order they run; `explained`: passes not in it, counted
  // at every point (--explain-placement). Passes without a pattern are not watched.
  PlacementWatch(const std::vector<const Pass*>& pipeline, const std::vector<const Pass*>& explained);
  // The graph before pipeline pass `point` runs (`point` == its size: after the last).
  void at(size_t point, ir::Graph& g);
  // The remarks on pipeline pass `index`, which just ran on `g` (and `changed` it): the
  // candidates each earlier pass took from it, a count per pass. They concern the whole
  // graph, named as it names itself ("@tiny").
  void remark_lost(size_t index, bool changed, const ir::Graph& g, PassContext& ctx) const;
  // Each explained pass's places at every point, and where it can still fire.
  std::string explanation() const;

 private:
  struct Watched {
    const Pass* pass;
    size_t until;  // the last point it is counted at (its own place in the pipeline)
    std::vector<std::set<Pass::Place>> places;  // at each point
  };
  // What pipeline pass `j` did to `w`'s places, as a sentence; "" when it took none.
  std::string taken_by(const Watched& w, size_t j) const;

  std::vector<std::string> names_;  // of the pipeline's passes
  // At each point, the values defined inside fusion bodies.
  std::vector<std::set<std::string>> in_regions_;
  std::vector<Watched> in_pipeline_, explained_;
};

}  // namespace lmc::passes

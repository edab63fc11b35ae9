#include "passes/placement.h"

#include <algorithm>
#include <iomanip>
#include <optional>
#include <sstream>

namespace lmc::passes {

namespace {

std::set<Pass::Place> places_of(const Pass& p, ir::Graph& g) {
  auto found = p.candidates(g).value_or(std::vector<Pass::Place>{});
  return {found.begin(), found.end()};
}

std::set<std::string> defined_in_regions(const ir::Graph& g) {
  std::set<std::string> out;
  for (const auto& op : g.ops())
    if (const ir::Graph* body = op->body())
      for (const auto& inner : body->ops())
        for (size_t k = 0; k < inner->num_results(); ++k) out.insert(inner->result(k)->name());
  return out;
}

bool has_pattern(const Pass& p) {
  ir::Graph probe;
  return p.candidates(probe).has_value();
}

std::string candidates(size_t n, const char* one, const char* many) {
  return std::to_string(n) + (n == 1 ? " candidate " + std::string(one) : " candidates " + std::string(many));
}

}  // namespace

PlacementWatch::PlacementWatch(const std::vector<const Pass*>& pipeline, const std::vector<const Pass*>& explained) {
  for (size_t i = 0; i < pipeline.size(); ++i) {
    names_.push_back(pipeline[i]->name());
    if (i > 0 && has_pattern(*pipeline[i])) in_pipeline_.push_back({pipeline[i], i, {}});
  }
  for (const Pass* p : explained)
    if (has_pattern(*p)) explained_.push_back({p, pipeline.size(), {}});
}

void PlacementWatch::at(size_t point, ir::Graph& g) {
  bool watched = false;
  for (auto* list : {&in_pipeline_, &explained_})
    for (Watched& w : *list)
      if (point <= w.until) {
        w.places.push_back(places_of(*w.pass, g));
        watched = true;
      }
  in_regions_.push_back(watched ? defined_in_regions(g) : std::set<std::string>{});
}

std::string PlacementWatch::taken_by(const Watched& w, size_t j) const {
  if (j + 1 >= w.places.size()) return "";
  const std::set<std::string>& wrapped_names = in_regions_[j + 1];
  size_t wrapped = 0, rewritten = 0;
  for (const Pass::Place& p : w.places[j]) {
    if (w.places[j + 1].count(p)) continue;
    bool inside = std::any_of(p.begin(), p.end(), [&](const std::string& v) { return wrapped_names.count(v); });
    ++(inside ? wrapped : rewritten);
  }
  std::string out;
  if (wrapped) out = candidates(wrapped, "is inside a region", "are inside regions") + " made by " + names_[j];
  if (rewritten) out += (out.empty() ? "" : ", ") + candidates(rewritten, "was", "were") + " rewritten by " + names_[j];
  return out;
}

void PlacementWatch::remark_lost(size_t index, bool changed, const ir::Graph& g, PassContext& ctx) const {
  for (const Watched& w : in_pipeline_) {
    if (w.until != index) continue;
    for (size_t j = 0; j < index; ++j) {
      std::string what = names_[j] == w.pass->name() ? "" : taken_by(w, j);
      if (what.empty()) continue;
      const std::string placed = "before(" + names_[j] + "):" + w.pass->name();
      // A pass that fused nothing is misplaced; one that fused the rest may lose these by
      // design (fuse-norm-linear after fuse-qkv normalizes one stacked projection, not three).
      if (changed)
        ctx.remark(w.pass->name(), "@" + g.name(), what + " (" + placed + " would see them)", RemarkKind::Analysis);
      else
        ctx.remark(w.pass->name(), "@" + g.name(), what + "; place this pass before it (e.g. " + placed + ")",
                   RemarkKind::Missed);
    }
  }
}

std::string PlacementWatch::explanation() const {
  std::ostringstream os;
  for (const Watched& w : explained_) {
    const std::string name = w.pass->name();
    os << "placement of " << name << ": its candidates (matches of its pattern) at each point of the pipeline\n";
    std::optional<size_t> last_found;
    for (size_t point = 0; point < w.places.size(); ++point) {
      std::string where = point < names_.size() ? "before(" + names_[point] + ")" : "at the end";
      os << "  " << std::left << std::setw(32) << where << std::right << std::setw(5) << w.places[point].size();
      if (point > 0)
        if (std::string what = taken_by(w, point - 1); !what.empty()) os << "  <- " << what;
      os << "\n";
      if (!w.places[point].empty()) last_found = point;
    }
    if (!last_found)
      os << name << " matches nowhere in this pipeline: its pattern is not in the graph\n";
    else if (*last_found == names_.size())
      os << name << "'s pattern still matches after the whole pipeline: --passes='...," << name << "'\n";
    else
      os << name << "'s pattern matches up to before(" << names_[*last_found] << "): e.g. --passes='...,before("
         << names_[*last_found] << "):" << name << "'\n";
  }
  return os.str();
}

}  // namespace lmc::passes

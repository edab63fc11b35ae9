#include "driver/report/graph_picture.h"

#include <optional>
#include <sstream>

#include "driver/report/graphviz_svg.h"
#include "ir/dot_writer.h"
#include "ir/layer_of.h"

namespace lmc::report {

namespace {

// `g`'s first layer, or `g` whole when it has no layers and is small enough to read.
std::optional<Picture> draw(const ir::Graph& g, const ir::Graph* before, const std::string& when) {
  ir::DotOptions opts;
  if (ir::find_layers(g).count > 0)
    opts.layer = 0;
  else if (g.ops().size() > kMaxWholeGraphOps)
    return std::nullopt;
  std::ostringstream dot;
  ir::write_dot(g, dot, opts, before);
  std::string where = opts.layer ? "layer 0" : "the whole graph";
  return Picture{when + " (" + where + ")", render_svg(dot.str())};
}

}  // namespace

std::vector<Picture> change_pictures(const ir::Graph& before, const ir::Graph& after) {
  std::vector<Picture> out;
  if (auto p = draw(before, nullptr, "before")) out.push_back(std::move(*p));
  if (auto p = draw(after, &before, "after, what changed outlined")) out.push_back(std::move(*p));
  return out;
}

}  // namespace lmc::report

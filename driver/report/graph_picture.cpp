#include "driver/report/graph_picture.h"

#include <optional>
#include <sstream>
#include <unordered_set>

#include "driver/report/graphviz_svg.h"
#include "ir/dot_writer.h"
#include "ir/layer_of.h"
#include "ir/printer.h"

namespace lmc::report {

namespace {

// The layer of the first op of `after` whose text `before` has nowhere, inside a layer;
// layer 0 when the pass changed no layer's op.
int changed_layer(const ir::Graph& before, const ir::Graph& after, const ir::Layers& layers) {
  std::unordered_set<std::string> old;
  for (const auto& op : before.ops()) old.insert(ir::print_op(*op));
  for (const auto& op : after.ops())
    if (!old.count(ir::print_op(*op)) && layers.of(*op) != ir::Layers::kOutside) return layers.of(*op);
  return 0;
}

// `g`'s layer `layer` (when it has it), or `g` whole when it has no layers and is small
// enough to read.
std::optional<Picture> draw(const ir::Graph& g, int layer, const ir::Graph* before, const std::string& when) {
  ir::DotOptions opts;
  if (ir::find_layers(g).count > layer)
    opts.layer = layer;
  else if (g.ops().size() > kMaxWholeGraphOps)
    return std::nullopt;
  std::ostringstream dot;
  ir::write_dot(g, dot, opts, before);
  std::string where = opts.layer ? "layer " + std::to_string(layer) : "the whole graph";
  return Picture{when + " (" + where + ")", render_svg(dot.str())};
}

}  // namespace

std::vector<Picture> change_pictures(const ir::Graph& before, const ir::Graph& after) {
  const ir::Layers layers = ir::find_layers(after);
  const int layer = layers.count > 0 ? changed_layer(before, after, layers) : 0;
  std::vector<Picture> out;
  if (auto p = draw(before, layer, nullptr, "before")) out.push_back(std::move(*p));
  if (auto p = draw(after, layer, &before, "after, what changed outlined")) out.push_back(std::move(*p));
  return out;
}

std::vector<Picture> layer_pictures(const ir::Graph& g) {
  std::vector<Picture> out;
  const int count = ir::find_layers(g).count;
  for (int layer = 0; layer < count; ++layer)
    if (auto p = draw(g, layer, nullptr, "compiled")) out.push_back(std::move(*p));
  return out;
}

}  // namespace lmc::report

#include "ir/dot_writer.h"

#include <map>
#include <set>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "ir/layer_of.h"
#include "ir/op_traits.h"
#include "ir/printer.h"
#include "support/error.h"

namespace lmc::ir {

namespace {

constexpr const char* kChanged = "#d7191c";
constexpr const char* kInputFill = "#e0f3f8";
constexpr const char* kCacheFill = "#dfc27d";
constexpr const char* kRegionFill = "#f3eef8";
constexpr const char* kRegionLine = "#984ea3";
constexpr OpRole kRoles[] = {OpRole::Anchor,     OpRole::RowReduction, OpRole::Elementwise,
                             OpRole::Rotation,   OpRole::View,         OpRole::Other,
                             OpRole::Collective, OpRole::Weight,       OpRole::WeightTransform};

const char* fill_of(OpRole role) {
  switch (role) {
    case OpRole::Weight:
      return "#f0f0f0";
    case OpRole::WeightTransform:
      return "#d9d9d9";
    case OpRole::Elementwise:
      return "#ccebc5";
    case OpRole::RowReduction:
      return "#b3cde3";
    case OpRole::Anchor:
      return "#fbb4ae";
    case OpRole::View:
      return "#fff2ae";
    case OpRole::Region:
      return kRegionFill;
    case OpRole::Rotation:
      return "#decbe4";
    case OpRole::Other:
      return "#fed9a6";
    case OpRole::Collective:
      return "#80b1d3";
  }
  return "#ffffff";
}

// Text inside an HTML-like label.
std::string html(const std::string& text) {
  std::string out;
  for (char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

std::string line(const std::string& text) { return html(text) + "<br align=\"left\"/>"; }
std::string small_line(const std::string& text) {
  return "<font point-size=\"8\" color=\"#555555\">" + html(text) + "</font><br align=\"left\"/>";
}

std::string where(int layer) {
  return layer == Layers::kOutside ? "outside the layers" : "layer " + std::to_string(layer);
}

std::unordered_set<std::string> printed_ops(const Graph& g) {
  std::unordered_set<std::string> out;
  for (const auto& op : g.ops()) {
    out.insert(print_op(*op));
    if (op->body())
      for (const auto& b : op->body()->ops()) out.insert(print_op(*b));
  }
  return out;
}

class DotWriter {
 public:
  DotWriter(const Graph& g, const DotOptions& opts, const Graph* before, std::ostream& os)
      : g_(g), opts_(opts), os_(os), layers_(find_layers(g)), highlight_(before != nullptr) {
    if (before) before_ = printed_ops(*before);
    if (opts.layer && (*opts.layer < 0 || *opts.layer >= layers_.count))
      throw Error("cannot draw layer " + std::to_string(*opts.layer) + " of graph @" + g.name() + ": " +
                  (layers_.count ? "its layers are 0 to " + std::to_string(layers_.count - 1)
                                 : "it has no layers (no weight name carries a layer index)"));
    for (size_t i = 0; i < g.args().size(); ++i) arg_index_[g.args()[i].get()] = i;
    for (const auto& op : g.ops()) place(*op);
  }

  void write() {
    os_ << "digraph \"" << html(g_.name()) << "\" {\n"
        << "  graph [fontname=\"Helvetica\", fontsize=16, labelloc=t, label=<" << title()
        << ">, nodesep=0.2, ranksep=0.25];\n"
        << "  node [shape=box, style=\"rounded,filled\", fontname=\"Helvetica\", fontsize=10, color=\"#666666\", "
           "margin=\"0.08,0.03\", height=0.3];\n"
        << "  edge [color=\"#666666\", arrowsize=0.6];\n";
    std::string edges = all_edges();  // first: it finds the stubs
    legend();
    for (const auto& [layer, ops] : by_layer_) {
      bool cluster = layer != Layers::kOutside;
      std::string indent = cluster ? "    " : "  ";
      if (cluster)
        os_ << "  subgraph cluster_layer_" << layer << " {\n    label=<layer " << layer
            << ">; labeljust=l; style=rounded; color=\"#999999\"; penwidth=1.5;\n";
      inputs(layer, ops, indent);
      for (const Op* op : ops) op->body() ? fusion(*op, indent) : node(*op, indent);
      if (cluster) os_ << "  }\n";
    }
    stubs();
    os_ << edges << "}\n";
  }

 private:
  const Graph& g_;
  const DotOptions& opts_;
  std::ostream& os_;
  Layers layers_;
  bool highlight_;
  std::unordered_set<std::string> before_;
  std::map<int, std::vector<const Op*>> by_layer_;       // what is drawn, in program order
  std::unordered_set<const Op*> drawn_;                  // ... and the ops of its fusions' bodies
  std::unordered_map<const Value*, const Value*> bound_;  // body arguments -> fusion operands
  std::unordered_map<const Value*, size_t> arg_index_;
  std::unordered_map<const Op*, std::string> ids_;
  std::vector<const Value*> stubs_;
  std::unordered_set<const Value*> kv_caches_;

  bool hidden(const Op& op) const { return computes_weight(op) && !opts_.show_weights; }

  void place(const Op& op) {
    if (writes_in_place(op) && !op.operand(0)->def()) kv_caches_.insert(op.operand(0));
    int layer = layers_.of(op);
    if (hidden(op) || (opts_.layer && layer != *opts_.layer)) return;
    by_layer_[layer].push_back(&op);
    drawn_.insert(&op);
    id(op);  // ids in program order
    for (const Op* n : ops_run_by(op)) drawn_.insert(n), id(*n);
    if (op.body())
      for (size_t i = 0; i < op.body()->args().size(); ++i) bound_[op.body()->args()[i].get()] = op.operand(i);
  }

  std::string title() const {
    std::string t = "@" + html(g_.name());
    if (opts_.layer) t += ", layer " + std::to_string(*opts_.layer);
    if (highlight_) t += "<br/><font point-size=\"11\">outlined in red: what the pass added or changed</font>";
    return t;
  }

  std::string id(const Op& op) { return ids_.emplace(&op, "n" + std::to_string(ids_.size())).first->second; }
  std::string input_id(const Value* arg, int layer) const {
    return "in" + std::to_string(arg_index_.at(arg)) + "_" + (layer < 0 ? "x" : std::to_string(layer));
  }
  const Value* outer(const Value* v) const {
    auto b = bound_.find(v);
    return b == bound_.end() ? v : b->second;
  }
  bool changed(const Op& op) const { return highlight_ && !before_.count(print_op(op)); }

  // The weight lines of an op's label: each weight it reads, and what a transform reads.
  void weight_lines(const Value* v, std::set<const Op*>& seen, std::string& label) const {
    const Op* def = v->def();
    if (!def || !hidden(*def) || !seen.insert(def).second) return;
    label += small_line(print_op(*def));
    for (const Value* w : def->operands()) weight_lines(w, seen, label);
  }

  void node(const Op& op, const std::string& indent) {
    std::string label = line(print_op(op));
    std::set<const Op*> seen;
    for (const Value* v : op.operands()) weight_lines(outer(v), seen, label);
    os_ << indent << id(op) << " [label=<" << label << ">, fillcolor=\"" << fill_of(traits(op).role) << "\"";
    if (writes_in_place(op)) os_ << ", shape=cylinder";
    if (changed(op)) os_ << ", color=\"" << kChanged << "\", penwidth=3";
    os_ << "];\n";
  }

  void fusion(const Op& op, const std::string& indent) {
    std::string results;
    for (size_t i = 0; i < op.num_results(); ++i) results += (i ? ", %" : "%") + op.result(i)->name();
    os_ << indent << "subgraph cluster_" << id(op) << " {\n"
        << indent << "  label=<fusion " << html(results) << ">; labeljust=l; style=\"rounded,filled\"; fillcolor=\""
        << kRegionFill << "\"; color=\"" << (changed(op) ? kChanged : kRegionLine)
        << "\"; penwidth=" << (changed(op) ? 3 : 1) << ";\n";
    for (const auto& b : op.body()->ops()) node(*b, indent + "  ");
    os_ << indent << "}\n";
  }

  // The graph inputs the cluster's ops read, drawn inside it: `pos` appears once in every
  // layer instead of sending an edge across the whole picture to each.
  void inputs(int layer, const std::vector<const Op*>& ops, const std::string& indent) {
    std::set<size_t> read;
    for (const Op* op : ops)
      for (const Op* n : ops_run_by(*op))
        for (const Value* v : n->operands())
          if (!outer(v)->def()) read.insert(arg_index_.at(outer(v)));
    for (size_t i : read) {
      const Value* arg = g_.args()[i].get();
      bool cache = kv_caches_.count(arg);
      os_ << indent << input_id(arg, layer) << " [label=<" << html("%" + arg->name() + " : " + arg->type().str())
          << ">, shape=" << (cache ? "cylinder" : "invhouse") << ", fillcolor=\"" << (cache ? kCacheFill : kInputFill)
          << "\"];\n";
    }
  }

  // Values the drawn layer reads from ops drawn nowhere: one small node each.
  void stubs() {
    for (size_t i = 0; i < stubs_.size(); ++i) {
      const Value* v = stubs_[i];
      os_ << "  s" << i << " [label=<" << line("%" + v->name() + " : " + v->type().str())
          << small_line("from " + where(layers_.of(*v->def()))) << ">, style=\"rounded,dashed\", fontsize=9];\n";
    }
  }

  std::string stub_id(const Value* v) {
    for (size_t i = 0; i < stubs_.size(); ++i)
      if (stubs_[i] == v) return "s" + std::to_string(i);
    stubs_.push_back(v);
    return "s" + std::to_string(stubs_.size() - 1);
  }

  // The node an edge carrying `v` starts from, seen from a reader in `layer`; empty for
  // a weight drawn as a line of the reader's label.
  std::string source(const Value* v, int layer) {
    const Op* def = v->def();
    if (!def) return input_id(v, layer);
    if (hidden(*def)) return "";
    if (!drawn_.count(def)) return stub_id(v);
    if (!def->body()) return id(*def);
    return source(outer(def->body()->outputs()[v->index()]), layer);
  }

  std::string all_edges() {
    std::string out;
    for (const auto& [layer, ops] : by_layer_)
      for (const Op* op : ops)
        for (const Op* reader : ops_run_by(*op))
          for (const Value* v : reader->operands()) {
            std::string from = source(outer(v), layer);
            if (!from.empty()) out += "  " + from + " -> " + id(*reader) + ";\n";
          }
    return out;
  }

  // One entry for each kind of thing in the picture.
  void legend() {
    std::set<OpRole> roles;
    bool inputs = false, caches = false;
    for (const Op* op : drawn_) {
      roles.insert(traits(*op).role);
      caches |= writes_in_place(*op);
      for (const Value* v : op->operands()) inputs |= !outer(v)->def();
    }
    os_ << "  legend [shape=plaintext, style=\"\", fontsize=9, label=<<table border=\"0\" cellborder=\"1\" "
           "cellspacing=\"3\" cellpadding=\"3\"><tr>";
    for (OpRole role : kRoles)
      if (roles.count(role)) os_ << "<td bgcolor=\"" << fill_of(role) << "\">" << role_name(role) << "</td>";
    if (roles.count(OpRole::Region))
      os_ << "<td bgcolor=\"" << kRegionFill << "\" color=\"" << kRegionLine << "\">fusion (one kernel)</td>";
    if (inputs) os_ << "<td bgcolor=\"" << kInputFill << "\">graph input</td>";
    if (caches) os_ << "<td bgcolor=\"" << kCacheFill << "\">KV cache (written in place)</td>";
    if (!stubs_.empty()) os_ << "<td style=\"dashed\">from elsewhere</td>";
    if (highlight_) os_ << "<td color=\"" << kChanged << "\" border=\"3\">added or changed</td>";
    os_ << "</tr></table>>];\n";
  }
};

}  // namespace

void write_dot(const Graph& g, std::ostream& os, const DotOptions& opts, const Graph* before) {
  DotWriter(g, opts, before, os).write();
}

}  // namespace lmc::ir

#include "ir/layer_of.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <map>
#include <optional>
#include <set>
#include <string_view>
#include <unordered_set>
#include <vector>

#include "ir/op_traits.h"

namespace lmc::ir {

namespace {

struct Indexed {
  std::string stack;  // "blk"
  int index;          // 3
};

// Every name inside a weight name: "q8_0(cat(a.1.w,a.1.v))" -> q8_0, cat, a.1.w, a.1.v.
std::vector<std::string_view> names_in(std::string_view text) {
  std::vector<std::string_view> out;
  size_t start = 0;
  for (size_t i = 0; i <= text.size(); ++i) {
    if (i < text.size() && text[i] != '(' && text[i] != ')' && text[i] != ',') continue;
    if (i > start) out.push_back(text.substr(start, i - start));
    start = i + 1;
  }
  return out;
}

// "blk.3.attn_q.weight" -> {"blk", 3}: the dotted prefix before the first part that is a number.
std::optional<Indexed> indexed(std::string_view name) {
  for (size_t begin = name.find('.'); begin != std::string_view::npos; begin = name.find('.', begin)) {
    ++begin;
    size_t end = std::min(name.find('.', begin), name.size());
    std::string_view part = name.substr(begin, end - begin);
    int index = 0;
    if (part.empty() || !std::isdigit(static_cast<unsigned char>(part[0]))) continue;
    auto r = std::from_chars(part.data(), part.data() + part.size(), index);
    if (r.ec == std::errc() && r.ptr == part.data() + part.size())
      return Indexed{std::string(name.substr(0, begin - 1)), index};
  }
  return std::nullopt;
}

std::vector<Indexed> indices_of(const Op& param) {
  std::vector<Indexed> out;
  for (std::string_view name : names_in(param.attr_str("name")))
    if (auto i = indexed(name)) out.push_back(*i);
  return out;
}

// The prefix that takes the most distinct numbers, and the largest of them.
std::pair<std::string, int> layer_stack(const Graph& g) {
  std::map<std::string, std::set<int>> numbers;
  for (const auto& op : g.ops())
    if (is_role(*op, OpRole::Weight))
      for (const Indexed& i : indices_of(*op)) numbers[i.stack].insert(i.index);
  std::pair<std::string, int> best{"", -1};
  size_t most = 0;
  for (const auto& [stack, n] : numbers)
    if (n.size() > most) best = {stack, *n.rbegin()}, most = n.size();
  return best;
}

class LayerFinder {
 public:
  LayerFinder(const Graph& g, std::string stack) : g_(g), stack_(std::move(stack)) {}

  std::unordered_map<const Op*, int> find() {
    std::unordered_map<const Op*, int> layer;
    for (const auto& op : g_.ops())
      if (auto l = seed(*op)) layer[op.get()] = *l;
    inherit(layer);
    for (const auto& op : g_.ops()) layer.emplace(op.get(), Layers::kOutside);
    return layer;
  }

 private:
  const Graph& g_;
  std::string stack_;
  std::unordered_map<const Value*, std::optional<int>> weight_layer_;
  std::unordered_map<const Op*, std::vector<const Op*>> producers_, consumers_;

  // A param's index in the layer stack, or the latest layer a transform's weights have.
  std::optional<int> weight_layer(const Value* v) {
    if (auto it = weight_layer_.find(v); it != weight_layer_.end()) return it->second;
    std::optional<int> l;
    const Op& def = *v->def();
    if (is_role(def, OpRole::Weight)) {
      for (const Indexed& i : indices_of(def))
        if (i.stack == stack_) l = std::max(l.value_or(i.index), i.index);
    } else {
      for (const Value* w : def.operands())
        if (auto wl = weight_layer(w)) l = std::max(l.value_or(*wl), *wl);
    }
    return weight_layer_[v] = l;
  }

  static bool is_weight(const Value* v) { return v->def() && computes_weight(*v->def()); }

  // The layer an op's weights place it in: nullopt when it reads none (and for a weight
  // of no layer, which goes where its readers are).
  std::optional<int> seed(const Op& op) {
    if (computes_weight(op)) return weight_layer(op.result());
    std::optional<int> l;
    for (const Value* v : op.operands())
      if (is_weight(v)) l = std::max(l.value_or(Layers::kOutside), weight_layer(v).value_or(Layers::kOutside));
    return l;
  }

  // Breadth first from the seeds, one distance at a time, so that every op decides
  // among the neighbours nearest to it.
  void inherit(std::unordered_map<const Op*, int>& layer) {
    for (const auto& op : g_.ops())
      for (const Value* v : op->operands())
        if (v->def()) {
          producers_[op.get()].push_back(v->def());
          consumers_[v->def()].push_back(op.get());
        }
    std::vector<const Op*> frontier;
    for (const auto& op : g_.ops())
      if (layer.count(op.get())) frontier.push_back(op.get());
    while (!frontier.empty()) {
      std::vector<std::pair<const Op*, int>> reached;
      std::unordered_set<const Op*> seen;
      for (const Op* f : frontier)
        for (const auto* next : {&producers_[f], &consumers_[f]})
          for (const Op* n : *next)
            if (!layer.count(n) && seen.insert(n).second) reached.emplace_back(n, nearest(n, layer));
      frontier.clear();
      for (auto [op, l] : reached) layer[op] = l, frontier.push_back(op);
    }
  }

  // The latest layer among the op's placed producers, else the earliest among its
  // consumers; for a view the other way round, since it selects what its readers need
  // (the rows the output norm reads belong to the epilogue, not to the last layer).
  int nearest(const Op* op, const std::unordered_map<const Op*, int>& layer) {
    std::optional<int> up, down;
    for (const Op* p : producers_[op])
      if (auto it = layer.find(p); it != layer.end()) up = std::max(up.value_or(it->second), it->second);
    for (const Op* c : consumers_[op])
      if (auto it = layer.find(c); it != layer.end()) down = std::min(down.value_or(it->second), it->second);
    if (is_role(*op, OpRole::View)) return down ? *down : *up;
    return up ? *up : *down;
  }
};

}  // namespace

Layers find_layers(const Graph& g) {
  auto [stack, last] = layer_stack(g);
  Layers out;
  out.count = last + 1;
  out.of_op = LayerFinder(g, stack).find();
  return out;
}

}  // namespace lmc::ir

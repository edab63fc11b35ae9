#include "runtime/profiler.h"

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <map>
#include <nlohmann/json.hpp>

#include "ir/op_registry.h"

namespace lmc::runtime {

namespace {

constexpr const char* kComponentNames[] = {"Embedding", "Layers", "Norm", "Projection"};
constexpr int kComponents = 4;

// "q_3" -> 3, "x_17.2" -> 17 (".2" is the graph's uniquing suffix), "logits" -> -1.
int layer_of(std::string name) {
  size_t dot = name.rfind('.');
  if (dot != std::string::npos && dot + 1 < name.size() && std::all_of(name.begin() + dot + 1, name.end(), [](char c) {
        return std::isdigit(static_cast<unsigned char>(c));
      }))
    name.resize(dot);
  size_t us = name.rfind('_');
  if (us == std::string::npos || us + 1 == name.size() || name.size() - us > 7) return -1;
  for (size_t i = us + 1; i < name.size(); ++i)
    if (!std::isdigit(static_cast<unsigned char>(name[i]))) return -1;
  return std::stoi(name.substr(us + 1));
}

// The op that closes a layer's attention half: a residual add — an elementwise sum of
// two values of one type (a bias is one row, so it is not) — alone or in a fusion.
bool is_residual(const ir::Op& op) {
  for (const ir::Op* inner : ir::ops_run_by(op)) {
    const ir::OpTraits& t = ir::traits(*inner);
    if (t.role == ir::OpRole::Elementwise && t.commutative && inner->operands().size() == 2 &&
        inner->operand(0)->type() == inner->operand(1)->type() && t.expr.kind == ir::ScalarExpr::Kind::Add)
      return true;
  }
  return false;
}

// A kernel that runs a projection (a linear, alone or with a prologue or epilogue).
bool runs_projection(const ir::Op& op) {
  for (const ir::Op* inner : ir::ops_run_by(op))
    if (ir::traits(*inner).input_prologue) return true;
  return false;
}

std::string ms(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, v < 10 ? "%.2fms" : "%.1fms", v);
  return buf;
}

double span_ms(int64_t first, int64_t last) { return first <= last ? (last - first) / 1e6 : 0; }

// Wall-clock span of the nodes that `pick` selects in one step.
template <typename Pick>
double span(const StepRecord& s, const std::vector<ProfiledNode>& nodes, Pick pick) {
  int64_t first = INT64_MAX, last = INT64_MIN;
  for (size_t i = 0; i < nodes.size(); ++i)
    if (pick(nodes[i])) {
      first = std::min(first, s.nodes[i].start_ns);
      last = std::max(last, s.nodes[i].end_ns);
    }
  return span_ms(first, last);
}

double component_ms(const StepRecord& s, const std::vector<ProfiledNode>& nodes, int c) {
  return span(s, nodes, [c](const ProfiledNode& n) { return static_cast<int>(n.component) == c; });
}

std::string step_label(const StepRecord& s) {
  if (s.T > 1) return "Prefill (" + std::to_string(s.T) + " rows)";
  return "Token " + std::to_string(s.pos + 1);
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  size_t n = v.size();
  return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

std::string dims_at(const ir::Type& t, const int64_t* syms) {
  std::string s = "[";
  for (size_t i = 0; i < t.dims.size(); ++i) {
    const ir::Dim& d = t.dims[i];
    s += (i ? "," : "") + std::to_string(d.sym ? syms[static_cast<int>(*d.sym)] : d.value);
  }
  return s + "]";
}

std::string node_name(const ProfiledNode& n) { return n.op->kind() + " %" + n.op->result(0)->name(); }

}  // namespace

Profiler::Profiler(std::vector<ProfiledNode> nodes, int threads)
    : nodes_(std::move(nodes)), chunks_by_thread_(static_cast<size_t>(threads) + 1) {}

std::vector<ProfiledNode> Profiler::classify(const std::vector<const ir::Op*>& ops,
                                             const std::vector<std::string>& symbols) {
  std::vector<ProfiledNode> nodes(ops.size());
  std::vector<int> layer(ops.size());
  int first = -1, last = -1, last_linear = -1;
  for (int i = 0; i < static_cast<int>(ops.size()); ++i) {
    nodes[i].op = ops[i];
    nodes[i].symbol = symbols[i];
    layer[i] = ops[i]->num_results() ? layer_of(ops[i]->result(0)->name()) : -1;
    if (layer[i] >= 0) {
      if (first < 0) first = i;
      last = i;
    }
    if (runs_projection(*ops[i])) last_linear = i;
  }
  std::map<int, bool> past_residual;  // per layer: has its attention half ended
  int current = -1;
  for (int i = 0; i < static_cast<int>(ops.size()); ++i) {
    ProfiledNode& n = nodes[i];
    if (first >= 0 && i < first) {
      n.component = Component::Embedding;
    } else if (first >= 0 && i <= last) {
      // An op with no layer suffix inside the layers (a pass's fresh name) joins the layer before it.
      if (layer[i] >= 0) current = layer[i];
      n.component = Component::Layers;
      n.layer = current;
      n.part = past_residual[current] ? LayerPart::Ffn : LayerPart::Attention;
      if (is_residual(*ops[i])) past_residual[current] = true;
    } else {
      n.component = i == last_linear ? Component::Projection : Component::Norm;
    }
  }
  return nodes;
}

void Profiler::begin_step(int64_t T, int64_t L, int64_t pos) {
  current_ = StepRecord{T, L, pos, now_ns(), 0, std::vector<NodeRun>(nodes_.size()), {}};
  for (auto& list : chunks_by_thread_) list.clear();
}

void Profiler::record_node(int node, int64_t start_ns, int64_t end_ns, int thread) {
  current_.nodes[node] = {start_ns, end_ns, thread};
}

void Profiler::record_chunk(int node, int64_t start_ns, int64_t end_ns, int thread, int64_t begin, int64_t end) {
  if (steps_.size() >= kChunkSteps) return;
  size_t slot = thread >= 0 && static_cast<size_t>(thread) + 1 < chunks_by_thread_.size()
                    ? static_cast<size_t>(thread)
                    : chunks_by_thread_.size() - 1;
  chunks_by_thread_[slot].push_back({node, start_ns, end_ns, thread, begin, end});
}

void Profiler::end_step() {
  current_.end_ns = now_ns();
  for (auto& list : chunks_by_thread_) current_.chunks.insert(current_.chunks.end(), list.begin(), list.end());
  std::sort(current_.chunks.begin(), current_.chunks.end(),
            [](const ChunkRun& a, const ChunkRun& b) { return a.start_ns < b.start_ns; });
  steps_.push_back(std::move(current_));
}

void Profiler::print_step_table(std::ostream& os) const {
  os << "| Step | Embedding | Layers | Norm | Projection | Total |\n";
  os << "|------|-----------|--------|------|------------|-------|\n";
  for (const StepRecord& s : steps_) {
    os << "| " << step_label(s);
    for (int c = 0; c < kComponents; ++c) os << " | " << ms(component_ms(s, nodes_, c));
    os << " | " << ms(span_ms(s.start_ns, s.end_ns)) << " |\n";
  }
}

// Steady state: the decode steps, or every step when there was none.
static std::vector<const StepRecord*> steady_steps(const std::vector<StepRecord>& steps) {
  std::vector<const StepRecord*> out;
  for (const StepRecord& s : steps)
    if (s.T == 1) out.push_back(&s);
  if (out.empty())
    for (const StepRecord& s : steps) out.push_back(&s);
  return out;
}

void Profiler::print_layer_table(std::ostream& os) const {
  std::map<int, bool> layers;
  for (const ProfiledNode& n : nodes_)
    if (n.component == Component::Layers) layers[n.layer] = true;
  auto steady = steady_steps(steps_);
  if (layers.empty() || steady.empty()) return;
  double part_ms[2] = {0, 0};
  for (const StepRecord* s : steady)
    for (const auto& entry : layers)
      for (int p = 0; p < 2; ++p) {
        LayerPart want = p == 0 ? LayerPart::Attention : LayerPart::Ffn;
        part_ms[p] += span(*s, nodes_, [&](const ProfiledNode& n) {
          return n.component == Component::Layers && n.layer == entry.first && n.part == want;
        });
      }
  double samples = static_cast<double>(steady.size() * layers.size());
  double total = part_ms[0] + part_ms[1];
  os << "| Component | Avg per layer | % of Layer |\n";
  os << "|-----------|---------------|------------|\n";
  const char* names[] = {"Attention", "FFN"};
  for (int p = 0; p < 2; ++p) {
    char pct[16];
    std::snprintf(pct, sizeof pct, "%.0f%%", total > 0 ? 100 * part_ms[p] / total : 0.0);
    os << "| " << names[p] << " | " << ms(part_ms[p] / samples) << " | " << pct << " |\n";
  }
}

void Profiler::print_steady_state(std::ostream& os) const {
  auto steady = steady_steps(steps_);
  if (steady.empty()) return;
  std::vector<std::vector<double>> per(kComponents + 1);
  for (const StepRecord* s : steady) {
    for (int c = 0; c < kComponents; ++c) per[c].push_back(component_ms(*s, nodes_, c));
    per[kComponents].push_back(span_ms(s->start_ns, s->end_ns));
  }
  double total_avg = 0;
  for (double v : per[kComponents]) total_avg += v / steady.size();
  os << "| Component | Avg | Min | Median | Max | Jitter | % of Total |\n";
  os << "|-----------|-----|-----|--------|-----|--------|------------|\n";
  for (int c = 0; c <= kComponents; ++c) {
    const auto& v = per[c];
    double avg = 0;
    for (double x : v) avg += x / v.size();
    double lo = *std::min_element(v.begin(), v.end()), hi = *std::max_element(v.begin(), v.end());
    char extra[64];
    std::snprintf(extra, sizeof extra, "%.1fx | %.0f%%", lo > 0 ? hi / lo : 0.0,
                  total_avg > 0 ? 100 * avg / total_avg : 0.0);
    os << "| " << (c < kComponents ? kComponentNames[c] : "Total") << " | " << ms(avg) << " | " << ms(lo) << " | "
       << ms(median(v)) << " | " << ms(hi) << " | " << extra << " |\n";
  }
}

void Profiler::print_trace(std::ostream& os, size_t step) const {
  const StepRecord& s = steps_.at(step);
  const int64_t syms[ir::kNumSyms] = {s.T, s.L};
  for (size_t i = 0; i < nodes_.size(); ++i) {
    const ir::Op& op = *nodes_[i].op;
    std::string dims;
    int64_t bytes = 0;
    for (const ir::Value* v : op.operands()) {
      dims += (dims.empty() ? "" : "x") + dims_at(v->type(), syms);
      bytes += v->type().bytes(syms);
    }
    for (size_t r = 0; r < op.num_results(); ++r) bytes += op.result(r)->type().bytes(syms);
    double t = span_ms(s.nodes[i].start_ns, s.nodes[i].end_ns);
    char tail[64];
    std::snprintf(tail, sizeof tail, "%.3f ms (%.1f GB/s)", t, t > 0 ? bytes / (t * 1e6) : 0.0);
    os << "[TRACE] " << node_name(nodes_[i]) << " " << nodes_[i].symbol << " " << dims << " " << tail << "\n";
  }
}

void Profiler::write_chrome_trace(std::ostream& os) const {
  // One event a line, streamed (a trace holds up to kChunkSteps steps of every kernel call):
  // nlohmann-json writes each event, escaping names and replacing invalid UTF-8.
  os << "{\"displayTimeUnit\":\"ms\",\"traceEvents\":[\n";
  bool first = true;
  auto event = [&](const std::string& name, const char* cat, int64_t start, int64_t end, int tid,
                   nlohmann::ordered_json args) {
    const nlohmann::ordered_json e = {{"name", name},
                                      {"cat", cat},
                                      {"ph", "X"},
                                      {"pid", 1},
                                      {"tid", tid},
                                      {"ts", start / 1e3},
                                      {"dur", (end - start) / 1e3},
                                      {"args", std::move(args)}};
    os << (first ? "" : ",\n") << e.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
    first = false;
  };
  const int step_lane = static_cast<int>(chunks_by_thread_.size());
  for (size_t k = 0; k < steps_.size(); ++k) {
    const StepRecord& s = steps_[k];
    event(step_label(s), "step", s.start_ns, s.end_ns, step_lane, {{"step", k}});
    for (const ChunkRun& c : s.chunks) {
      const ProfiledNode& n = nodes_[c.node];
      event(node_name(n), "kernel", c.start_ns, c.end_ns, c.thread,
            {{"symbol", n.symbol}, {"items", std::to_string(c.begin) + ".." + std::to_string(c.end)}, {"step", k}});
    }
  }
  os << "\n]}\n";
}

}  // namespace lmc::runtime

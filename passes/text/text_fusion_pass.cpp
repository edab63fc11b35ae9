#include "passes/text/text_fusion_pass.h"

#include <algorithm>

#include "passes/api/rewriter.h"

namespace lmc::passes::text {

namespace {

ir::Op* op_of(const Match& m, const std::string& capture) {
  auto it = m.ops.find(capture);
  return it != m.ops.end() ? it->second : m.value(capture)->def();
}

// A copy(%h) made for one region: the reads of the original it took over, to give back.
struct Copy {
  ir::Op* original;
  ir::Op* copy;
  std::vector<std::pair<ir::Op*, size_t>> redirected;
};

// Gives `members` but `op` a copy of `op` to read when other ops read it too.
std::optional<Copy> copy_for(ir::Graph& g, Rewriter& rw, ir::Op* op, std::vector<ir::Op*>& members) {
  size_t readers = 0;
  for (size_t k = 0; k < op->num_results(); ++k) readers += g.users(op->result(k)).size();
  if (readers <= 1) return std::nullopt;
  Copy c{op, rw.duplicate(op), {}};
  for (ir::Op*& member : members) {
    if (member == op) {
      member = c.copy;
      continue;
    }
    for (size_t i = 0; i < member->operands().size(); ++i)
      if (member->operand(i)->def() == op) {
        member->set_operand(i, c.copy->result(member->operand(i)->index()));
        c.redirected.emplace_back(member, i);
      }
  }
  return c;
}

void undo(Rewriter& rw, const Copy& c) {
  for (const auto& [member, i] : c.redirected) member->set_operand(i, c.original->result(member->operand(i)->index()));
  rw.erase(c.copy);
}

// Fuses the rule's ops of this match, or leaves the graph as it was and says why not.
std::string fuse(ir::Graph& g, const Rule& r, const Match& m) {
  Rewriter rw(g);
  std::vector<ir::Op*> members;
  for (const auto& item : r.fuse) {
    ir::Op* op = op_of(m, item.capture);
    bool listed = std::find(members.begin(), members.end(), op) != members.end();
    if (!listed && (!item.only_if || item.only_if(ir::traits(*op)))) members.push_back(op);
  }
  std::vector<Copy> copies;
  for (const auto& item : r.fuse)
    if (item.copy)
      if (auto c = copy_for(g, rw, op_of(m, item.capture), members)) copies.push_back(*c);
  std::string why = rw.fusion_blocker(members);
  if (why.empty())
    rw.fuse(members);
  else
    for (auto c = copies.rbegin(); c != copies.rend(); ++c) undo(rw, *c);
  return why;
}

std::string refusal(const ir::Graph& g, const Rule& r, Match& m) {
  for (const Guard& guard : r.guards)
    if (std::string why = guard.check(g, m); !why.empty()) return why;
  return "";
}

}  // namespace

PassResult TextFusionPass::run(ir::Graph& g, PassContext& ctx) {
  int fused = 0;
  for (const Rule& r : file_->rules)
    r.pattern->for_each(g, [&](const Match& found) {
      Match m = found;
      std::string why = refusal(g, r, m);
      if (why.empty()) why = fuse(g, r, m);
      if (why.empty())
        ++fused;
      else
        ctx.remark(name(), m.value(r.root)->name(), "not fused: " + why, RemarkKind::Missed);
    });
  std::string stat = file_->stat;
  stat.replace(stat.find("{}"), 2, std::to_string(fused));
  return {fused > 0, {stat}};
}

std::optional<std::vector<Pass::Place>> TextFusionPass::candidates(ir::Graph& g) const {
  std::vector<Place> out;
  for (const Rule& r : file_->rules)
    r.pattern->for_each(g, [&](const Match& m) {
      Place& p = out.emplace_back();
      for (const auto& [line, op] : m.ops) p.push_back(op->result()->name());
      std::sort(p.begin(), p.end());
    });
  return out;
}

std::function<std::unique_ptr<Pass>()> text_pass_factory(std::shared_ptr<const PassFile> file) {
  return [file] { return std::make_unique<TextFusionPass>(file); };
}

}  // namespace lmc::passes::text

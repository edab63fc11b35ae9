#include "models/tokenizer/tokenizer_bpe_merge.h"

#include <queue>

namespace lmc::models {
namespace {

struct Link {
  BpeSymbol sym;
  int prev = -1, next = -1;
  bool alive = true;
};

struct Candidate {
  double priority;
  int left, right;
  uint32_t size;  // merged byte size; a stale candidate no longer matches its symbols
  int32_t id;
};

struct LessUrgent {
  bool operator()(const Candidate& a, const Candidate& b) const {
    if (a.priority != b.priority) return a.priority < b.priority;
    return a.left > b.left;
  }
};

using Queue = std::priority_queue<Candidate, std::vector<Candidate>, LessUrgent>;

void propose(const std::vector<Link>& links, int left, const MergeRule& rule, Queue& queue) {
  if (left < 0) return;
  int right = links[left].next;
  if (right < 0) return;
  const BpeSymbol& l = links[left].sym;
  const BpeSymbol& r = links[right].sym;
  if (auto m = rule(l, r)) queue.push({m->priority, left, right, l.size + r.size, m->id});
}

}  // namespace

std::vector<BpeSymbol> bpe_merge(std::vector<BpeSymbol> symbols, const MergeRule& rule) {
  std::vector<Link> links(symbols.size());
  for (size_t i = 0; i < symbols.size(); ++i) {
    links[i].sym = symbols[i];
    links[i].prev = static_cast<int>(i) - 1;
    links[i].next = i + 1 < symbols.size() ? static_cast<int>(i) + 1 : -1;
  }
  Queue queue;
  for (int i = 0; i + 1 < static_cast<int>(links.size()); ++i) propose(links, i, rule, queue);

  while (!queue.empty()) {
    Candidate c = queue.top();
    queue.pop();
    Link& l = links[c.left];
    Link& r = links[c.right];
    if (!l.alive || !r.alive || l.next != c.right || l.sym.size + r.sym.size != c.size) continue;
    l.sym.size = c.size;
    l.sym.id = c.id;
    r.alive = false;
    l.next = r.next;
    if (r.next >= 0) links[r.next].prev = c.left;
    propose(links, l.prev, rule, queue);
    propose(links, c.left, rule, queue);
  }

  std::vector<BpeSymbol> out;
  for (const Link& l : links)
    if (l.alive) out.push_back(l.sym);
  return out;
}

}  // namespace lmc::models

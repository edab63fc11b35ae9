#include "structured/byte_dfa.h"

#include <algorithm>
#include <deque>
#include <map>
#include <stdexcept>
#include <string>

#include "structured/regex_syntax.h"

namespace lmc::structured {

namespace {

// The bytes a text is written in (byte_dfa.h): printable ASCII but '"' and '\\'.
bool text_byte(size_t b) { return b >= 0x20 && b < 0x7F && b != '"' && b != '\\'; }

// Thompson's construction: states with byte-class edges and empty ones.
struct Nfa {
  std::vector<std::vector<int>> empty;
  std::vector<std::vector<std::pair<ByteSet, int>>> edges;

  int add() {
    empty.emplace_back();
    edges.emplace_back();
    return static_cast<int>(empty.size()) - 1;
  }

  // The state where `r` ends, read from `from`.
  int build(const Regex& r, int from) {
    switch (r.kind) {
      case Regex::Set: {
        const int to = add();
        edges[from].emplace_back(r.bytes, to);
        return to;
      }
      case Regex::Cat:
        for (const Regex& k : r.kids) from = build(k, from);
        return from;
      case Regex::Alt: {
        const int to = add();
        for (const Regex& k : r.kids) empty[build(k, from)].push_back(to);
        return to;
      }
      case Regex::Star: {
        const int loop = add();
        empty[from].push_back(loop);
        empty[build(r.kids[0], loop)].push_back(loop);
        return loop;
      }
      case Regex::Opt: {
        const int to = add();
        empty[from].push_back(to);
        empty[build(r.kids[0], from)].push_back(to);
        return to;
      }
    }
    return from;
  }

  std::vector<int> closure(std::vector<int> states) const {
    std::vector<bool> in(empty.size());
    for (int s : states) in[s] = true;
    for (size_t i = 0; i < states.size(); ++i)
      for (int t : empty[states[i]])
        if (!in[t]) {
          in[t] = true;
          states.push_back(t);
        }
    std::sort(states.begin(), states.end());
    return states;
  }
};

}  // namespace

ByteDfa::ByteDfa(std::string_view regex, Match match, size_t* work_left) {
  Nfa nfa;
  const int begin = nfa.add();
  const int end = nfa.build(parse_regex(regex, match == Match::Anywhere), begin);
  auto too_large = [&] {
    return std::invalid_argument("pattern '" + std::string(regex) + "' needs too many states" +
                                 (work_left ? " (with the other patterns of its schema)" : ""));
  };
  std::map<std::vector<int>, int32_t> ids;
  std::deque<std::vector<int>> todo{nfa.closure({begin})};
  ids[todo.front()] = 0;
  std::vector<bool> accepting;
  size_t own = kMaxWork;
  size_t& left = work_left ? *work_left : own;
  auto spend = [&](size_t work) {
    if (work > left) throw too_large();
    left -= work;
  };
  for (size_t state = 0; !todo.empty(); ++state) {
    const std::vector<int> set = std::move(todo.front());
    todo.pop_front();
    accepting.push_back(std::binary_search(set.begin(), set.end(), end));
    next_.resize((state + 1) * 128, kRefused);
    std::vector<std::vector<int>> to(128);
    for (int s : set)
      for (const auto& [bytes, t] : nfa.edges[s])
        for (size_t b = 0; b < 128; ++b)
          if (bytes[b] && text_byte(b)) to[b].push_back(t);
    spend(set.size() * 128);
    // Bytes that reach the same NFA states (all of a class) share one closure and one lookup.
    std::map<std::vector<int>, int32_t> columns;
    for (size_t b = 0; b < 128; ++b) {
      if (to[b].empty()) continue;
      auto [column, fresh] = columns.emplace(std::move(to[b]), kRefused);
      if (fresh) {
        spend(column->first.size() * 8 + nfa.empty.size() / 8);
        std::vector<int> closed = nfa.closure(column->first);
        auto [it, added] = ids.emplace(closed, static_cast<int32_t>(ids.size()));
        if (added) {
          if (ids.size() > kMaxStates) throw too_large();
          todo.push_back(std::move(closed));
        }
        column->second = it->second;
      }
      next_[state * 128 + b] = column->second;
    }
  }
  if (!trim(accepting))
    throw std::invalid_argument("pattern '" + std::string(regex) +
                                "' matches no text of printable ASCII without '\"' or '\\'");
}

ByteDfa ByteDfa::both(const ByteDfa& a, const ByteDfa& b) {
  ByteDfa d;
  std::map<std::pair<int32_t, int32_t>, int32_t> ids{{{0, 0}, 0}};
  std::deque<std::pair<int32_t, int32_t>> todo{{0, 0}};
  std::vector<bool> accepting;
  for (size_t state = 0; !todo.empty(); ++state, todo.pop_front()) {
    const auto [sa, sb] = todo.front();
    accepting.push_back(a.accepting(sa) && b.accepting(sb));
    d.next_.resize((state + 1) * 128, kRefused);
    for (size_t c = 0; c < 128; ++c) {
      const int32_t ta = a.next_[sa * 128 + c], tb = b.next_[sb * 128 + c];
      if (ta == kRefused || tb == kRefused) continue;
      auto [it, added] = ids.emplace(std::pair(ta, tb), static_cast<int32_t>(ids.size()));
      if (added) {
        if (ids.size() > kMaxStates) throw std::invalid_argument("the two grammars together need too many states");
        todo.emplace_back(ta, tb);
      }
      d.next_[state * 128 + c] = it->second;
    }
  }
  if (!d.trim(accepting)) throw std::invalid_argument("no text matches both grammars");
  return d;
}

ByteDfa ByteDfa::of_length(uint32_t lo, uint32_t hi) {
  const uint32_t last = hi == kUnbounded ? lo : hi;
  if (last >= kMaxStates || hi < lo) throw std::invalid_argument("the length needs too many states");
  ByteDfa d;
  d.next_.assign((last + 1) * 128, kRefused);
  std::vector<bool> accepting(last + 1);
  for (uint32_t s = 0; s <= last; ++s) {
    accepting[s] = s >= lo;
    const int32_t to = static_cast<int32_t>(s < last ? s + 1 : s);
    if (s == last && hi != kUnbounded) continue;
    for (size_t c = 0; c < 128; ++c)
      if (text_byte(c)) d.next_[s * 128 + c] = to;
  }
  d.trim(accepting);
  return d;
}

// The fewest bytes to a match from each state (by breadth first search backwards from the
// accepting ones); a byte into a state that cannot reach one is refused.
bool ByteDfa::trim(const std::vector<bool>& accepting) {
  const size_t n = accepting.size();
  std::vector<std::vector<int32_t>> from(n);
  for (size_t s = 0; s < n; ++s)
    for (size_t b = 0; b < 128; ++b)
      if (next_[s * 128 + b] != kRefused) from[next_[s * 128 + b]].push_back(static_cast<int32_t>(s));
  to_end_.assign(n, kUnbounded);
  std::deque<int32_t> todo;
  for (size_t s = 0; s < n; ++s)
    if (accepting[s]) {
      to_end_[s] = 0;
      todo.push_back(static_cast<int32_t>(s));
    }
  for (; !todo.empty(); todo.pop_front())
    for (int32_t p : from[todo.front()])
      if (to_end_[p] == kUnbounded) {
        to_end_[p] = to_end_[todo.front()] + 1;
        todo.push_back(p);
      }
  if (to_end_[0] == kUnbounded) return false;
  for (int32_t& t : next_)
    if (t != kRefused && to_end_[t] == kUnbounded) t = kRefused;
  std::vector<uint8_t> mark(n, 0);
  std::vector<uint32_t> memo(n, 0);
  longest_ = longest_from(0, mark, memo);
  return true;
}

// Depth first: a state met again on the path is a loop (mark 1 on the path, 2 done).
uint32_t ByteDfa::longest_from(int32_t state, std::vector<uint8_t>& mark, std::vector<uint32_t>& memo) const {
  if (mark[state] == 1) return kUnbounded;
  if (mark[state] == 2) return memo[state];
  mark[state] = 1;
  uint32_t best = 0;
  for (size_t b = 0; b < 128 && best != kUnbounded; ++b) {
    const int32_t t = next_[state * 128 + b];
    if (t == kRefused) continue;
    const uint32_t rest = longest_from(t, mark, memo);
    best = rest == kUnbounded ? kUnbounded : std::max(best, rest + 1);
  }
  mark[state] = 2;
  memo[state] = best;
  return best;
}

bool ByteDfa::matches(std::string_view text) const {
  int32_t s = start();
  for (char c : text)
    if ((s = next(s, static_cast<uint8_t>(c))) == kRefused) return false;
  return accepting(s);
}

}  // namespace lmc::structured

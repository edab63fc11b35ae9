#include "structured/byte_dfa.h"

#include <algorithm>
#include <bitset>
#include <deque>
#include <map>
#include <stdexcept>
#include <string>

namespace lmc::structured {

namespace {

using Bytes = std::bitset<128>;

// The parsed expression: bytes of a class, or a sequence, a choice, a loop or an option.
struct Re {
  enum Kind { Set, Cat, Alt, Star, Opt } kind = Cat;
  Bytes bytes;
  std::vector<Re> kids;
};

Re of(Re::Kind kind, std::vector<Re> kids) { return {kind, {}, std::move(kids)}; }

Bytes range(char lo, char hi) {
  Bytes b;
  for (int c = lo; c <= hi; ++c) b.set(static_cast<size_t>(c));
  return b;
}

class Parser {
 public:
  explicit Parser(std::string_view s) : s_(s) {}
  Re parse() {
    Re r = alternation();
    if (i_ != s_.size()) fail("unexpected ')'");
    return r;
  }

 private:
  [[noreturn]] void fail(const std::string& why) const {
    throw std::invalid_argument("pattern '" + std::string(s_) + "' at " + std::to_string(i_) + ": " + why);
  }
  bool at(char c) const { return i_ < s_.size() && s_[i_] == c; }

  Re alternation() {
    std::vector<Re> alts{sequence()};
    while (at('|')) {
      ++i_;
      alts.push_back(sequence());
    }
    return alts.size() == 1 ? std::move(alts[0]) : of(Re::Alt, std::move(alts));
  }

  Re sequence() {
    std::vector<Re> items;
    while (i_ < s_.size() && !at('|') && !at(')')) items.push_back(repeated());
    return of(Re::Cat, std::move(items));
  }

  Re repeated() {
    Re r = atom();
    for (;;) {
      if (at('?') || at('*')) {
        r = of(s_[i_++] == '?' ? Re::Opt : Re::Star, {std::move(r)});
      } else if (at('+')) {
        ++i_;
        Re loop = of(Re::Star, {r});
        r = of(Re::Cat, {std::move(r), std::move(loop)});
      } else if (at('{')) {
        r = counted(std::move(r));
      } else {
        return r;
      }
    }
  }

  size_t number() {
    size_t n = 0, digits = 0;
    for (; i_ < s_.size() && s_[i_] >= '0' && s_[i_] <= '9' && digits < 3; ++i_, ++digits) n = n * 10 + (s_[i_] - '0');
    if (digits == 0) fail("a count must be a number");
    return n;
  }

  // x{n} and x{n,m}: n copies, then m - n optional ones.
  Re counted(Re r) {
    ++i_;
    const size_t lo = number();
    size_t hi = lo;
    if (at(',')) {
      ++i_;
      hi = number();
    }
    if (!at('}') || hi < lo || hi > 64) fail("a count must be {n} or {n,m} with n <= m <= 64");
    ++i_;
    std::vector<Re> items(lo, r);
    for (size_t k = lo; k < hi; ++k) items.push_back(of(Re::Opt, {r}));
    return of(Re::Cat, std::move(items));
  }

  Re atom() {
    if (i_ == s_.size()) fail("the expression ends early");
    const char c = s_[i_++];
    if (c == '(') {
      Re r = alternation();
      if (!at(')')) fail("a group is not closed");
      ++i_;
      return r;
    }
    if (c == '[') return {Re::Set, klass(), {}};
    if (c == '\\') return {Re::Set, escaped(), {}};
    if (c == ')' || c == '|' || c == '?' || c == '*' || c == '+' || c == '{' || c == '.' || c == '^' || c == '$' ||
        static_cast<unsigned char>(c) >= 128)
      fail(std::string("'") + c + "' is outside the subset");
    return {Re::Set, range(c, c), {}};
  }

  Bytes escaped() {
    if (i_ == s_.size()) fail("'\\' ends the expression");
    const char c = s_[i_++];
    return c == 'd' ? range('0', '9') : ascii(c, c);
  }

  Bytes ascii(char lo, char hi) const {
    if (static_cast<unsigned char>(lo) >= 128 || static_cast<unsigned char>(hi) >= 128 || hi < lo)
      fail("a class must be ASCII, its ranges ascending");
    return range(lo, hi);
  }

  // [...]: characters, ranges a-z and escapes.
  Bytes klass() {
    Bytes b;
    while (!at(']')) {
      if (i_ == s_.size()) fail("a class is not closed");
      if (at('\\')) {
        ++i_;
        b |= escaped();
        continue;
      }
      const char lo = s_[i_++];
      if (at('-') && i_ + 1 < s_.size() && s_[i_ + 1] != ']') {
        b |= ascii(lo, s_[i_ + 1]);
        i_ += 2;
      } else {
        b |= ascii(lo, lo);
      }
    }
    ++i_;
    return b;
  }

  std::string_view s_;
  size_t i_ = 0;
};

// Thompson's construction: states with byte-class edges and empty ones.
struct Nfa {
  std::vector<std::vector<int>> empty;
  std::vector<std::vector<std::pair<Bytes, int>>> edges;

  int add() {
    empty.emplace_back();
    edges.emplace_back();
    return static_cast<int>(empty.size()) - 1;
  }

  // The state where `r` ends, read from `from`.
  int build(const Re& r, int from) {
    switch (r.kind) {
      case Re::Set: {
        const int to = add();
        edges[from].emplace_back(r.bytes, to);
        return to;
      }
      case Re::Cat:
        for (const Re& k : r.kids) from = build(k, from);
        return from;
      case Re::Alt: {
        const int to = add();
        for (const Re& k : r.kids) empty[build(k, from)].push_back(to);
        return to;
      }
      case Re::Star: {
        const int loop = add();
        empty[from].push_back(loop);
        empty[build(r.kids[0], loop)].push_back(loop);
        return loop;
      }
      case Re::Opt: {
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

ByteDfa::ByteDfa(std::string_view regex) {
  Nfa nfa;
  const int begin = nfa.add();
  const int end = nfa.build(Parser(regex).parse(), begin);
  std::map<std::vector<int>, int32_t> ids;
  std::deque<std::vector<int>> todo{nfa.closure({begin})};
  ids[todo.front()] = 0;
  std::vector<bool> accepting;
  for (size_t state = 0; !todo.empty(); ++state) {
    const std::vector<int> set = std::move(todo.front());
    todo.pop_front();
    accepting.push_back(std::binary_search(set.begin(), set.end(), end));
    next_.resize((state + 1) * 128, kRefused);
    for (size_t b = 0; b < 128; ++b) {
      std::vector<int> to;
      for (int s : set)
        for (const auto& [bytes, t] : nfa.edges[s])
          if (bytes[b]) to.push_back(t);
      if (to.empty()) continue;
      to = nfa.closure(std::move(to));
      auto [it, added] = ids.emplace(to, static_cast<int32_t>(ids.size()));
      if (added) {
        if (ids.size() > kMaxStates) throw std::invalid_argument("pattern '" + std::string(regex) + "' is too large");
        todo.push_back(to);
      }
      next_[state * 128 + b] = it->second;
    }
  }
  trim(accepting);
}

// The fewest bytes to a match from each state (by breadth first search backwards from the
// accepting ones); a byte into a state that cannot reach one is refused.
void ByteDfa::trim(const std::vector<bool>& accepting) {
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
  if (to_end_[0] == kUnbounded) throw std::invalid_argument("a pattern matches nothing");
  for (int32_t& t : next_)
    if (t != kRefused && to_end_[t] == kUnbounded) t = kRefused;
  std::vector<uint8_t> mark(n, 0);
  std::vector<uint32_t> memo(n, 0);
  longest_ = longest_from(0, mark, memo);
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

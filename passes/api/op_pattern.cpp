#include "passes/api/op_pattern.h"

#include <algorithm>
#include <cctype>
#include <set>
#include <sstream>
#include <unordered_set>

#include "ir/op_registry.h"
#include "passes/api/pass_fault.h"
#include "support/error.h"
#include "support/spelling.h"

namespace lmc::passes {

namespace {

struct Line {
  std::vector<std::string> results;
  std::vector<std::string> kinds;  // alternatives: op kinds or role names
  std::vector<std::string> operands;
  bool any_operands = false;       // no operand list
  bool more_operands = false;      // `...`
};

const std::map<std::string, ir::OpRole>& roles() {
  static const std::map<std::string, ir::OpRole> r = {{"elementwise", ir::OpRole::Elementwise},
                                                      {"row-reduction", ir::OpRole::RowReduction},
                                                      {"rotation", ir::OpRole::Rotation},
                                                      {"anchor", ir::OpRole::Anchor},
                                                      {"view", ir::OpRole::View},
                                                      {"region", ir::OpRole::Region}};
  return r;
}

// What a pattern line may name: every op of the table, then the roles.
std::vector<std::string> kind_names() {
  std::vector<std::string> out;
  for (const ir::OpDef* d : ir::all_ops()) out.emplace_back(d->name);
  for (const auto& [name, role] : roles()) out.push_back(name);
  return out;
}

class LineParser {
 public:
  LineParser(std::string_view s, int line) : s_(s), line_(line) {}

  Line parse() {
    Line l;
    do l.results.push_back(name());
    while (accept(','));
    expect('=');
    skip();
    size_t spec_at = pos_;
    std::string spec = word();
    if (spec == "any") {
      expect('(');
      do l.kinds.push_back(kind());
      while (accept(','));
      expect(')');
    } else {
      check_known(spec, spec_at);
      l.kinds.push_back(spec);
    }
    skip();
    l.any_operands = at_end();
    std::vector<size_t> operand_at;
    while (!at_end()) {
      if (s_.substr(pos_, 3) == "...") {
        pos_ += 3;
        l.more_operands = true;
        break;
      }
      operand_at.push_back(pos_);
      l.operands.push_back(name());
      if (!accept(',')) break;
    }
    skip();
    if (!at_end()) fail("unexpected '" + std::string(s_.substr(pos_)) + "'");
    if (!l.any_operands) check_arity(l, operand_at, spec_at);
    return l;
  }

 private:
  std::string_view s_;
  int line_;
  size_t pos_ = 0;

  // "pattern:LINE:COLUMN: error: ...", the column (of the line as given) where it went wrong.
  [[noreturn]] void fail_at(size_t pos, const std::string& what) const {
    throw PassFault("pattern:" + std::to_string(line_) + ":" + std::to_string(pos + 1) + ": error: " + what);
  }
  [[noreturn]] void fail(const std::string& what) const { fail_at(pos_, what); }
  void skip() {
    while (pos_ < s_.size() && std::isspace(static_cast<unsigned char>(s_[pos_]))) ++pos_;
  }
  bool at_end() {
    skip();
    return pos_ >= s_.size();
  }
  bool accept(char c) {
    skip();
    if (pos_ < s_.size() && s_[pos_] == c) {
      ++pos_;
      return true;
    }
    return false;
  }
  void expect(char c) {
    if (!accept(c)) fail(std::string("expected '") + c + "'");
  }
  std::string word() {
    skip();
    size_t b = pos_;
    while (pos_ < s_.size() &&
           (std::isalnum(static_cast<unsigned char>(s_[pos_])) || s_[pos_] == '_' || s_[pos_] == '-'))
      ++pos_;
    if (b == pos_) fail("expected an op kind");
    return std::string(s_.substr(b, pos_ - b));
  }
  // An op kind or a role, known to the op table (a plugin's ops included).
  std::string kind() {
    skip();
    size_t at = pos_;
    std::string k = word();
    check_known(k, at);
    return k;
  }
  // A line whose operand count no op it names takes (`sigmoid %g, %h`) would never match:
  // an error at the first operand too many, or at the op when there are too few.
  void check_arity(const Line& l, const std::vector<size_t>& operand_at, size_t spec_at) const {
    const auto n = static_cast<int>(l.operands.size());
    std::string counts;
    for (const auto& k : l.kinds) {
      const ir::OpDef* d = ir::find_op(k);
      if (!d) return;  // a role: any count
      const bool enough = l.more_operands || n >= d->min_operands;
      if (enough && (d->max_operands < 0 || n <= d->max_operands)) return;
      counts += (counts.empty() ? "" : ", ") + ("'" + k + "' takes " + operand_count(*d));
    }
    const ir::OpDef* d = ir::find_op(l.kinds.front());
    const bool too_many = d->max_operands >= 0 && n > d->max_operands;
    const size_t at = too_many ? operand_at[static_cast<size_t>(d->max_operands)] : spec_at;
    fail_at(at, counts + "; the line gives " + std::to_string(n) + (l.more_operands ? " or more" : ""));
  }
  static std::string operand_count(const ir::OpDef& d) {
    auto plural = [](int n) { return std::to_string(n) + (n == 1 ? " operand" : " operands"); };
    if (d.max_operands < 0) return "at least " + plural(d.min_operands);
    if (d.min_operands == d.max_operands) return plural(d.min_operands);
    return std::to_string(d.min_operands) + " to " + plural(d.max_operands);
  }
  void check_known(const std::string& k, size_t at) const {
    if (!ir::find_op(k) && !roles().count(k))
      fail_at(at, "'" + k + "' is neither an op nor a role" + did_you_mean(k, kind_names()));
  }
  std::string name() {
    expect('%');
    size_t b = pos_;
    while (pos_ < s_.size() &&
           (std::isalnum(static_cast<unsigned char>(s_[pos_])) || s_[pos_] == '_' || s_[pos_] == '.'))
      ++pos_;
    if (b == pos_) fail("expected a name after '%'");
    return std::string(s_.substr(b, pos_ - b));
  }
};

}  // namespace

struct OpPattern::Impl {
  std::vector<Line> lines;
  std::map<std::string, std::pair<size_t, int>> defined;  // name -> (line, result index)
  // Lines but the last whose results no line reads, with the operand (bound by the lines
  // before) among whose users each is found.
  std::vector<std::pair<size_t, std::string>> other_roots;

  struct State {
    std::map<std::string, ir::Value*> values;
    std::map<size_t, ir::Op*> ops;
  };

  bool kind_matches(const Line& l, const ir::Op& op) const {
    for (const auto& k : l.kinds) {
      auto r = roles().find(k);
      if (r != roles().end() ? ir::is_role(op, r->second) : op.kind() == k) return true;
    }
    return false;
  }

  bool bind(const std::string& name, ir::Value* v, State& st) const {
    auto it = st.values.find(name);
    if (it != st.values.end() && it->second != v) return false;
    st.values[name] = v;
    auto d = defined.find(name);
    if (d == defined.end()) return true;
    return v->def() && v->index() == d->second.second && match_line(d->second.first, v->def(), st);
  }

  bool operands_match(const Line& l, const std::vector<ir::Value*>& operands, State& st) const {
    for (size_t i = 0; i < l.operands.size(); ++i)
      if (!bind(l.operands[i], operands[i], st)) return false;
    return true;
  }

  bool match_line(size_t index, ir::Op* op, State& st) const {
    auto seen = st.ops.find(index);
    if (seen != st.ops.end()) return seen->second == op;
    const Line& l = lines[index];
    if (!kind_matches(l, *op) || op->num_results() != l.results.size()) return false;
    st.ops[index] = op;
    if (l.any_operands) return true;
    size_t n = op->operands().size();
    if (n < l.operands.size() || (!l.more_operands && n != l.operands.size())) return false;
    State saved = st;
    if (operands_match(l, op->operands(), st)) return true;
    if (!ir::traits(*op).commutative || l.operands.size() < 2) return false;
    st = saved;
    std::vector<ir::Value*> swapped = op->operands();
    std::swap(swapped[0], swapped[1]);
    return operands_match(l, swapped, st);
  }

  // Other roots from the i-th on, each a distinct op among the users of its anchor,
  // trying the users in program order and backing out of a choice the rest refuse.
  bool match_other_roots(const ir::Graph& g, size_t i, State& st) const {
    if (i == other_roots.size()) return true;
    const auto& [line, anchor] = other_roots[i];
    for (ir::Op* user : g.users(st.values.at(anchor))) {
      bool taken = std::any_of(st.ops.begin(), st.ops.end(), [&](const auto& e) { return e.second == user; });
      if (taken) continue;
      State saved = st;
      if (match_line(line, user, st) && match_other_roots(g, i + 1, st)) return true;
      st = saved;
    }
    return false;
  }

  // Names the lines reached from `line` read or define.
  void names_under(size_t line, std::set<std::string>& names) const {
    for (const auto& r : lines[line].results) names.insert(r);
    for (const auto& o : lines[line].operands) {
      if (!names.insert(o).second) continue;  // seen: a pattern may name a cycle
      if (auto d = defined.find(o); d != defined.end()) names_under(d->second.first, names);
    }
  }

  // Each other root, in order, anchored on an operand the lines before it bound.
  void find_other_roots() {
    std::set<std::string> read;
    for (const auto& l : lines) read.insert(l.operands.begin(), l.operands.end());
    std::set<std::string> bound;
    names_under(lines.size() - 1, bound);
    for (size_t i = 0; i + 1 < lines.size(); ++i) {
      if (read.count(lines[i].results[0])) continue;
      auto anchor = std::find_if(lines[i].operands.begin(), lines[i].operands.end(),
                                 [&](const std::string& o) { return bound.count(o) > 0; });
      if (anchor == lines[i].operands.end())
        throw PassFault("pattern: error: %" + lines[i].results[0] +
                        " is a root that reads no value the lines before it bind: several roots meet at a value "
                        "they read");
      other_roots.emplace_back(i, *anchor);
      names_under(i, bound);
    }
  }

  std::optional<Match> match(const ir::Graph* g, ir::Op* root) const {
    State st;
    if (!match_line(lines.size() - 1, root, st)) return std::nullopt;
    if (!other_roots.empty()) {
      if (!g) throw PassFault("pattern: error: a pattern of several roots is matched with its graph: match(g, root)");
      if (!match_other_roots(*g, 0, st)) return std::nullopt;
    }
    Match m;
    m.values = st.values;
    for (const auto& [index, op] : st.ops) {
      m.ops[lines[index].results[0]] = op;
      for (size_t i = 0; i < op->num_results(); ++i) m.values[lines[index].results[i]] = op->result(i);
    }
    return m;
  }
};

OpPattern::OpPattern(std::string_view text) : impl_(std::make_unique<Impl>()) {
  std::istringstream in{std::string(text)};
  std::string raw;
  int n = 0;
  while (std::getline(in, raw)) {
    ++n;
    std::string_view line = raw;
    if (line.find_first_not_of(" \t") == std::string_view::npos) continue;
    Line l = LineParser(line, n).parse();
    for (size_t i = 0; i < l.results.size(); ++i) {
      if (impl_->defined.count(l.results[i]))
        throw PassFault("pattern:" + std::to_string(n) + ": error: %" + l.results[i] + " defined twice");
      impl_->defined[l.results[i]] = {impl_->lines.size(), static_cast<int>(i)};
    }
    impl_->lines.push_back(std::move(l));
  }
  if (impl_->lines.empty()) throw PassFault("pattern: error: no ops");
  impl_->find_other_roots();
}

OpPattern::~OpPattern() = default;
OpPattern::OpPattern(OpPattern&&) noexcept = default;

std::optional<Match> OpPattern::match(ir::Op* root) const { return impl_->match(nullptr, root); }

std::optional<Match> OpPattern::match(const ir::Graph& g, ir::Op* root) const { return impl_->match(&g, root); }

int OpPattern::for_each(ir::Graph& g, const std::function<void(const Match&)>& on_match) const {
  auto live_ops = [&] {
    std::unordered_set<const ir::Op*> live;
    for (auto& op : g.ops()) live.insert(op.get());
    return live;
  };
  std::vector<ir::Op*> roots;
  for (auto& op : g.ops()) roots.push_back(op.get());
  // Only on_match changes the graph, so the set of live ops is taken again after it.
  std::unordered_set<const ir::Op*> live = live_ops();
  int matched = 0;
  for (ir::Op* root : roots) {
    if (!live.count(root)) continue;
    if (auto m = match(g, root)) {
      ++matched;
      on_match(*m);
      live = live_ops();
    }
  }
  return matched;
}

}  // namespace lmc::passes

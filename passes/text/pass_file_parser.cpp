// The pass-file parser: line by line, each line's tokens from LineLexer, pattern blocks
// handed to OpPattern with their errors moved to the file's lines. Pass files may come
// from anyone (--load-pass-file, a folder in the environment), so every error names its
// line and column and nothing in the text can make the parser crash or loop
// (tests/fuzz/fuzz_pass_file.cpp). A UTF-8 byte-order mark opening the file is skipped, as
// compilers skip one (an editor on Windows may write it).
#include <algorithm>
#include <cctype>
#include <charconv>
#include <set>
#include <sstream>

#include "ir/op_registry.h"
#include "passes/api/pass_fault.h"
#include "passes/text/line_lexer.h"
#include "passes/text/pass_file.h"
#include "support/error.h"
#include "support/untrusted_text.h"

namespace lmc::passes::text {

namespace {

struct SourceLine {
  int number;
  std::string text;
};

int first_column(const std::string& s) {
  size_t i = s.find_first_not_of(" \t");
  return i == std::string::npos ? 1 : static_cast<int>(i) + 1;
}

std::string_view trimmed(std::string_view s) {
  size_t b = s.find_first_not_of(" \t\r"), e = s.find_last_not_of(" \t\r");
  return b == std::string_view::npos ? std::string_view() : s.substr(b, e - b + 1);
}

bool blank_or_comment(const std::string& s) {
  size_t i = s.find_first_not_of(" \t\r");
  return i == std::string::npos || s[i] == '#';
}

std::vector<std::string> split_lines(std::string_view text) {
  std::vector<std::string> out;
  size_t b = 0;
  while (b <= text.size()) {
    size_t e = text.find('\n', b);
    if (e == std::string_view::npos) e = text.size();
    out.emplace_back(text.substr(b, e - b));
    b = e + 1;
  }
  return out;
}

// Each %name of a pattern line (as OpPattern reads them) with where it starts.
std::vector<std::pair<size_t, std::string>> percent_names(const std::string& line) {
  std::vector<std::pair<size_t, std::string>> out;
  for (size_t i = 0; i < line.size(); ++i) {
    if (line[i] != '%') continue;
    size_t b = i + 1, e = b;
    while (e < line.size() && (std::isalnum(static_cast<unsigned char>(line[e])) || line[e] == '_' || line[e] == '.'))
      ++e;
    if (e > b) out.emplace_back(i, line.substr(b, e - b));
    i = e - 1;
  }
  return out;
}

// The %names a pattern line mentions, and those it defines (left of its '=').
void pattern_names(const std::string& line, std::set<std::string>& bound, std::set<std::string>& defined) {
  size_t eq = line.find('=');
  for (const auto& [at, name] : percent_names(line)) {
    bound.insert(name);
    if (at < eq) defined.insert(name);
  }
}

// The op kinds a pattern line may match (`mul`, `any(gelu, silu)`), or none when it names
// a role, which any op of the role matches.
std::vector<const ir::OpDef*> line_ops(const std::string& line) {
  size_t eq = line.find('=');
  size_t b = line.find_first_not_of(' ', eq + 1);
  std::string spec = line.substr(b, line.find(' ', b) - b);
  if (spec.starts_with("any(")) spec = line.substr(b + 4, line.find(')', b) - b - 4);
  std::vector<const ir::OpDef*> out;
  std::istringstream items(spec);
  for (std::string item; std::getline(items, item, ',');) {
    item.erase(0, item.find_first_not_of(' '));
    item.erase(item.find_last_not_of(' ') + 1);
    const ir::OpDef* d = ir::find_op(item);
    if (!d) return {};
    out.push_back(d);
  }
  return out;
}

bool has_attribute(const ir::OpDef& d, const std::string& attr) {
  return std::any_of(d.attrs.begin(), d.attrs.end(), [&](const ir::AttrSpec& a) { return attr == a.name; });
}

// OpPattern accepted the line, so it opens with a %name.
std::string first_result(const std::string& line) { return percent_names(line).front().second; }

class Parser {
 public:
  Parser(std::string_view text, const std::string& file) : lines_(split_lines(text)) { out_.file = file; }

  PassFile parse() {
    for (next_ = 0; next_ < lines_.size();) {
      size_t i = next_++;
      if (blank_or_comment(lines_[i])) continue;
      LineLexer lx(lines_[i], where(i + 1));
      statement(lx, static_cast<int>(i + 1));
    }
    finish();
    return std::move(out_);
  }

 private:
  std::vector<std::string> lines_;
  size_t next_ = 0;
  PassFile out_;
  bool rule_open_ = false;                 // a `match` whose `fuse` is still to come
  std::vector<SourceLine> pattern_;        // the open rule's pattern lines
  std::set<std::string> bound_, defined_;  // its captures, and those its lines compute

  std::string where(size_t line) const { return out_.file + ":" + std::to_string(line); }

  [[noreturn]] void fail(int line, int col, const std::string& what) const {
    throw error_at(where(static_cast<size_t>(line)) + ":" + std::to_string(col), what);
  }

  void statement(LineLexer& lx, int line) {
    int col = lx.peek().col;
    std::string kw = lx.expect_word("a keyword (pass, summary, stat, match, guard, fuse)");
    if (kw == "pass" || kw == "summary" || kw == "stat") return header(lx, kw, line, col);
    if (kw == "match") return match(lx, line);
    if (kw != "guard" && kw != "fuse")
      lx.fail_at(col, "unknown keyword '" + excerpt(kw) + "' (pass, summary, stat, match, guard, fuse)");
    if (!rule_open_) lx.fail_at(col, "'" + kw + "' outside a rule: a rule starts with 'match'");
    if (kw == "guard") return guard(lx, line);
    fuse(lx);
  }

  void header(LineLexer& lx, const std::string& kw, int line, int col) {
    if (!out_.rules.empty()) lx.fail_at(col, "'" + kw + "' after the first rule");
    if (kw == "pass") {
      int name_col = lx.peek().col;
      if (!out_.name.empty()) lx.fail_at(col, "a second 'pass' line");
      out_.name = lx.expect_word("the pass's name");
      out_.name_line = line;
      out_.name_col = name_col;
      for (char c : out_.name)
        if (!std::islower(static_cast<unsigned char>(c)) && !std::isdigit(static_cast<unsigned char>(c)) && c != '-')
          fail(line, name_col, "a pass name is lower-case letters, digits and '-'");
    } else if (kw == "summary") {
      out_.summary = lx.expect_string("the summary in quotes");
    } else {
      int text_col = lx.peek().col;
      out_.stat = lx.expect_string("the statistic in quotes, with {} for the count");
      if (out_.stat.find("{}") == std::string::npos) fail(line, text_col, "the statistic needs {} for the count");
    }
    lx.expect_end();
  }

  // Pattern lines from the line after `line` up to `end`.
  std::vector<SourceLine> block(int line, const char* opener) {
    std::vector<SourceLine> out;
    for (; next_ < lines_.size(); ++next_) {
      const std::string& s = lines_[next_];
      if (blank_or_comment(s)) continue;
      if (trimmed(s) == "end") {
        ++next_;
        if (out.empty()) fail(line, 1, std::string("'") + opener + "' block has no pattern lines");
        return out;
      }
      out.push_back({static_cast<int>(next_ + 1), s});
    }
    fail(line, 1, std::string("'") + opener + "' without 'end'");
  }

  // OpPattern of `lines`, its errors moved to the file: "pattern:N[:C]: error: x" is line N
  // of the block (column C of it as written, else where its text starts); an error of the
  // whole pattern points at `line`.
  std::shared_ptr<const OpPattern> compile(const std::vector<SourceLine>& lines, int line) const {
    std::string text;
    for (const auto& l : lines) text += l.text + "\n";
    try {
      return std::make_shared<const OpPattern>(text);
    } catch (const PassFault& e) {
      std::string_view what = e.what();
      std::string_view rest = what.substr(std::string_view("pattern:").size());
      size_t n = 0, col = 0;
      auto [end, ec] = std::from_chars(rest.data(), rest.data() + rest.size(), n);
      if (ec == std::errc() && end != rest.data() + rest.size() && *end == ':')
        std::from_chars(end + 1, rest.data() + rest.size(), col);
      size_t at = what.find("error: ");
      std::string_view message = at == std::string_view::npos ? what : what.substr(at + 7);
      if (ec == std::errc() && n >= 1 && n <= lines.size())
        fail(lines[n - 1].number, col ? static_cast<int>(col) : first_column(lines[n - 1].text), std::string(message));
      fail(line, 1, std::string(message));
    }
  }

  void match(LineLexer& lx, int line) {
    lx.expect_end();
    if (rule_open_) fail(line, 1, "'match' before the rule above has its 'fuse' line");
    pattern_ = block(line, "match");
    bound_.clear();
    defined_.clear();
    for (const auto& l : pattern_) pattern_names(l.text, bound_, defined_);
    Rule r;
    r.line = line;
    r.pattern = compile(pattern_, line);
    r.root = first_result(pattern_.back().text);
    out_.rules.push_back(std::move(r));
    rule_open_ = true;
  }

  void guard(LineLexer& lx, int line) {
    int col = lx.peek().col;
    std::string name = lx.expect_word("a guard's name");
    Guard g;
    if (name == "matches") {
      g.text = "matches";
      std::string otherwise = else_message(lx);
      matches(g, line);
      if (!otherwise.empty()) g.check = with_message(std::move(g.check), otherwise);
      out_.rules.back().guards.push_back(std::move(g));
      return;
    }
    const GuardKind* kind = nullptr;
    std::vector<std::string> names{"matches"};
    for (const auto& k : guard_vocabulary()) {
      names.push_back(k.name);
      if (name == k.name) kind = &k;
    }
    if (!kind) {
      std::string known;
      for (const auto& n : names) known += (known.empty() ? "" : ", ") + n;
      lx.fail_at(col, "unknown guard '" + excerpt(name) + "' (" + known + ")");
    }
    kind->parse(lx, g);
    int end_col = lx.peek().col;
    g.text = lx.slice(col, end_col);
    std::string otherwise = else_message(lx);
    for (size_t i = 0; i < g.captures.size(); ++i)
      if (!bound_.count(g.captures[i]))
        fail(line, g.capture_cols[i], "%" + excerpt(g.captures[i]) + " is not a capture of the pattern");
    for (const auto& use : g.attributes) check_attribute(use, line);
    if (!otherwise.empty()) g.check = with_message(std::move(g.check), otherwise);
    out_.rules.back().guards.push_back(std::move(g));
  }

  // `%m.axis` where no op %m's line may match has `axis` would fail at every match: an
  // error when the file loads instead.
  void check_attribute(const AttributeUse& use, int line) {
    for (const auto& l : pattern_) {
      size_t eq = l.text.find('=');
      auto names = percent_names(l.text);
      if (std::none_of(names.begin(), names.end(),
                       [&](const auto& n) { return n.first < eq && n.second == use.capture; }))
        continue;
      auto ops = line_ops(l.text);
      if (ops.empty() ||
          std::any_of(ops.begin(), ops.end(), [&](const ir::OpDef* d) { return has_attribute(*d, use.attr); }))
        return;
      std::string kinds, attrs;
      for (const ir::OpDef* d : ops) {
        kinds += (kinds.empty() ? "'" : ", '") + std::string(d->name) + "'";
        for (const auto& a : d->attrs) attrs += (attrs.empty() ? "" : ", ") + std::string(a.name);
      }
      fail(line, use.col,
           "%" + excerpt(use.capture) + " is computed by " + kinds + " (line " + std::to_string(l.number) +
               "), which has no attribute '" + excerpt(use.attr) + "'" +
               (attrs.empty() ? " (it has none)" : " (it has: " + attrs + ")"));
    }
  }

  // `else "message"`, the refusal the guard gives instead of its own, and the line's end.
  static std::string else_message(LineLexer& lx) {
    std::string out;
    if (lx.accept("else")) {
      out = lx.expect_string("the refusal in quotes after 'else'");
      if (out.empty()) lx.fail("an empty refusal says nothing");
    }
    lx.expect_end();
    return out;
  }

  static std::function<std::string(const ir::Graph&, Match&)> with_message(
      std::function<std::string(const ir::Graph&, Match&)> check, std::string message) {
    return [check = std::move(check), message = std::move(message)](const ir::Graph& g, Match& m) {
      return check(g, m).empty() ? std::string() : message;
    };
  }

  // guard matches: its lines and the rule's, matched at the rule's root; the larger match
  // replaces the rule's, so later guards and `fuse` see its captures too.
  void matches(Guard& g, int line) {
    std::vector<SourceLine> extra = block(line, "guard matches");
    std::vector<SourceLine> all = extra;
    all.insert(all.end(), pattern_.begin(), pattern_.end());
    for (const auto& l : extra) pattern_names(l.text, bound_, defined_);
    std::shared_ptr<const OpPattern> full = compile(all, line);
    std::string root = out_.rules.back().root;
    std::string refusal = "the lines of 'guard matches' (line " + std::to_string(line) + ") do not match";
    g.check = [full, root, refusal](const ir::Graph& graph, Match& m) -> std::string {
      std::optional<Match> bigger = full->match(graph, m.op(root));
      if (!bigger) return refusal;
      m = std::move(*bigger);
      return "";
    };
  }

  void fuse(LineLexer& lx) {
    Rule& r = out_.rules.back();
    const int first_col = lx.peek().col;
    do {
      FuseItem item;
      int col = lx.peek().col;
      if (lx.accept("copy")) {
        lx.expect("(", "'(' after copy");
        item.capture = lx.expect_capture("a %capture");
        lx.expect(")", "')'");
        item.copy = true;
      } else {
        item.capture = lx.expect_capture("a %capture, or copy(%capture)");
        if (lx.accept("if")) item.only_if = parse_trait(lx);
      }
      if (!defined_.count(item.capture))
        lx.fail_at(col, "%" + excerpt(item.capture) + " is not computed by a line of the pattern");
      for (const FuseItem& earlier : r.fuse)
        if (earlier.capture == item.capture) lx.fail_at(col, "%" + excerpt(item.capture) + " is listed twice");
      r.fuse.push_back(std::move(item));
    } while (lx.accept(","));
    // A region of one op is that op's own kernel: the rule would change nothing.
    if (r.fuse.size() < 2) lx.fail_at(first_col, "a fusion groups two ops or more; this line names one");
    lx.expect_end();
    rule_open_ = false;
  }

  void finish() {
    if (out_.name.empty()) fail(1, 1, "no 'pass NAME' line");
    if (out_.summary.empty()) fail(1, 1, "no 'summary \"...\"' line");
    if (out_.rules.empty())
      fail(static_cast<int>(lines_.size()), 1, "no rule: a rule is 'match', its guards and 'fuse'");
    if (rule_open_) fail(out_.rules.back().line, 1, "the rule has no 'fuse' line");
  }
};

}  // namespace

PassFile parse_pass_file(std::string_view text, const std::string& file) {
  if (text.starts_with(kByteOrderMark)) text.remove_prefix(kByteOrderMark.size());
  return Parser(text, file).parse();
}

}  // namespace lmc::passes::text

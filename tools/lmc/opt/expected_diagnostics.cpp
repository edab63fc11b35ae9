#include "tools/lmc/opt/expected_diagnostics.h"

#include <algorithm>
#include <cctype>
#include <memory>
#include <sstream>

#include "support/error.h"
#include "support/posix_regex.h"
#include "support/spelling.h"

namespace lmc::tools {

namespace {

constexpr std::string_view kPrefix = "expected-";

struct Expectation {
  Severity severity;
  std::optional<int> line;  // nullopt: @unknown
  std::string text;         // between the outer braces, as written
  std::shared_ptr<const PosixRegex> re;  // for -re: the text as a regex
  int written_at;                        // the comment's own line
  bool met = false;

  bool meets(const Diagnostic& d) const {
    return !met && d.severity == severity && d.line == line &&
           (re ? re->found_in(d.message) : d.message.find(text) != std::string::npos);
  }
};

// What follows "expected-KIND": "-re", "@where", then "{{text}}".
struct DirectiveTail {
  bool re = false;
  std::optional<std::string> where;
  size_t open = std::string::npos;  // of "{{"
};

DirectiveTail tail_at(const std::string& line, size_t p) {
  DirectiveTail t;
  if (line.compare(p, 3, "-re") == 0 &&
      (p + 3 == line.size() || !std::isalnum(static_cast<unsigned char>(line[p + 3])))) {
    t.re = true;
    p += 3;
  }
  if (p < line.size() && line[p] == '@') {
    size_t end = line.find_first_of(" \t{", p);
    t.where = line.substr(p + 1, end == std::string::npos ? std::string::npos : end - p - 1);
    p = end == std::string::npos ? line.size() : end;
  }
  p = std::min(line.find_first_not_of(" \t", p), line.size());
  if (line.compare(p, 2, "{{") == 0) t.open = p;
  return t;
}

std::string escaped(const std::string& literal) {
  std::string out;
  for (char c : literal) {
    if (std::string_view(".[]{}()\\*+?^$|").find(c) != std::string_view::npos) out += '\\';
    out += c;
  }
  return out;
}

// An -re text as a POSIX extended regex: literal outside {{...}}, a regex inside.
std::string regex_of(const std::string& text) {
  std::string pattern;
  for (size_t i = 0; i < text.size();) {
    size_t open = text.find("{{", i);
    pattern += escaped(text.substr(i, open == std::string::npos ? std::string::npos : open - i));
    if (open == std::string::npos) break;
    size_t close = text.find("}}", open + 2);
    if (close == std::string::npos) throw Error("its regex '" + text.substr(open) + "' is not closed by }}");
    pattern += "(" + text.substr(open + 2, close - open - 2) + ")";
    i = close + 2;
  }
  return pattern;
}

// Reads a part's directives line by line, placing @above and @below as MLIR does: on the
// nearest line above or below that is not a directive alone.
class DirectiveReader {
 public:
  explicit DirectiveReader(std::string source) : source_(std::move(source)) {}

  void read(const std::string& line, int line_no) {
    size_t comment = line.find("//");
    bool directive = comment != std::string::npos && read_comment(line, comment, line_no);
    if (directive && line.find_first_not_of(" \t") == comment) return;  // a directive alone
    last_plain_ = line_no;
    for (auto [i, col] : below_) expected[i].line = line_no;
    below_.clear();
  }

  // Expectations still waiting for a line below are problems, not expectations.
  void finish() {
    for (auto i = below_.rbegin(); i != below_.rend(); ++i) {
      problem(expected[i->first].written_at, i->second, "@below has no line below it");
      expected.erase(expected.begin() + static_cast<std::ptrdiff_t>(i->first));
    }
  }

  std::vector<Expectation> expected;
  std::vector<std::string> problems;

 private:
  void problem(int line_no, size_t col, const std::string& what) {
    problems.push_back(source_ + ":" + std::to_string(line_no) + ":" + std::to_string(col) + ": error: " + what);
  }

  // The first directive in the comment: true when there is one (well formed or not).
  bool read_comment(const std::string& line, size_t comment, int line_no) {
    for (size_t p = line.find(kPrefix, comment); p != std::string::npos; p = line.find(kPrefix, p + 1)) {
      char before = line[p - 1];
      if (std::isalnum(static_cast<unsigned char>(before)) || before == '-' || before == '_') continue;
      size_t kind_end = p + kPrefix.size();
      while (kind_end < line.size() && std::isalpha(static_cast<unsigned char>(line[kind_end]))) ++kind_end;
      std::string name = line.substr(p, kind_end - p);
      DirectiveTail tail = tail_at(line, kind_end);
      // A directive begins its comment or is followed by a place or braces; other words are
      // prose that happens to say "expected-something".
      bool starts_comment = line.find_first_not_of(" \t", comment + 2) == p;
      bool marked = tail.re || tail.where || tail.open != std::string::npos;
      auto severity = severity_named(name.substr(kPrefix.size()));
      if (severity && (starts_comment || marked)) {
        add(*severity, name, tail, line, line_no, p + 1);
        return true;
      }
      static const std::vector<std::string> kKnown{"expected-error", "expected-warning", "expected-remark",
                                                   "expected-note"};
      if (!severity && (marked || (starts_comment && closest_spelling(name, kKnown)))) {
        std::string hint = did_you_mean(name, kKnown);
        problem(line_no, p + 1,
                "unknown directive '" + name + "'" +
                    (hint.empty() ? " (the kinds are error, warning, remark and note)" : hint));
        return true;
      }
    }
    return false;
  }

  void add(Severity severity, const std::string& name, const DirectiveTail& tail, const std::string& line, int line_no,
           size_t col) {
    size_t close = line.rfind("}}");
    if (tail.open == std::string::npos || close == std::string::npos || close < tail.open + 2)
      return problem(line_no, col, "'" + name + "' needs its text in {{...}}");
    Expectation e{severity, line_no, line.substr(tail.open + 2, close - tail.open - 2), nullptr, line_no};
    if (tail.re) {
      try {
        e.re = std::make_shared<PosixRegex>(regex_of(e.text));
      } catch (const Error& err) {
        return problem(line_no, tail.open + 1, "'" + name + "-re': " + err.what());
      }
    }
    if (tail.where && !place(e, *tail.where, line_no, col)) return;
    expected.push_back(std::move(e));
  }

  // Sets e.line from "@where"; false (with a problem) when `where` is no place.
  bool place(Expectation& e, const std::string& where, int line_no, size_t col) {
    bool offset = where.size() > 1 && where.size() < 8 && (where[0] == '+' || where[0] == '-') &&
                  where.find_first_not_of("0123456789", 1) == std::string::npos;
    if (offset) {
      e.line = line_no + std::stoi(where);
    } else if (where == "unknown") {
      e.line = std::nullopt;
    } else if (where == "above" && last_plain_) {
      e.line = *last_plain_;
    } else if (where == "above") {
      problem(line_no, col, "@above has no line above it");
      return false;
    } else if (where == "below") {
      below_.emplace_back(expected.size(), col);
    } else {
      problem(line_no, col, "unknown place '@" + where + "' (use @+N, @-N, @above, @below or @unknown)");
      return false;
    }
    return true;
  }

  std::string source_;
  std::optional<int> last_plain_;
  // Expectations (and their directives' columns) waiting for the next line that is not a
  // directive alone.
  std::vector<std::pair<size_t, size_t>> below_;
};

bool is_split_marker(const std::string& line) {
  auto end = line.find_last_not_of(" \t\r");
  return line.substr(0, end == std::string::npos ? 0 : end + 1) == kSplitMarker;
}

std::string unmet(const Expectation& e, const std::string& source) {
  std::string where = e.line ? "on line " + std::to_string(*e.line) : std::string("naming no line");
  return source + ":" + std::to_string(e.written_at) + ": error: expected " + severity_name(e.severity) + " " + where +
         " {{" + e.text + "}} was not produced";
}

std::string unexpected(const Diagnostic& d, const InputPart& part, const std::string& source) {
  std::string kind = severity_name(d.severity);
  if (!d.line)
    return source + ":" + std::to_string(part.first_line) + ": error: unexpected " + kind +
           " naming no line (expect it with @unknown): " + d.message;
  return source + ":" + std::to_string(*d.line) + ": error: unexpected " + kind + ": " + d.message;
}

}  // namespace

int InputPart::graph_line() const {
  std::istringstream in(text);
  int line_no = first_line;
  for (std::string line; std::getline(in, line); ++line_no) {
    size_t p = line.find_first_not_of(" \t");
    if (p != std::string::npos && line.compare(p, 5, "graph") == 0 && line.find('@', p) != std::string::npos)
      return line_no;
  }
  return first_line;
}

std::vector<InputPart> split_input(const std::string& text, bool split) {
  if (!split) return {{text, 1}};
  std::vector<InputPart> parts(1);
  std::istringstream in(text);
  int line_no = 0;
  for (std::string line; std::getline(in, line);) {
    ++line_no;
    if (is_split_marker(line)) {
      parts.push_back({"", line_no + 1});
      continue;
    }
    parts.back().text += line + "\n";
  }
  return parts;
}

std::vector<std::string> check_diagnostics(const InputPart& part, const std::string& source,
                                           const std::vector<Diagnostic>& produced) {
  DirectiveReader reader(source);
  std::istringstream in(part.text);
  int line_no = part.first_line;
  for (std::string line; std::getline(in, line); ++line_no) reader.read(line, line_no);
  reader.finish();
  std::vector<std::string> problems = std::move(reader.problems);
  std::vector<const Diagnostic*> surprises;
  for (const auto& d : produced) {
    auto it = std::find_if(reader.expected.begin(), reader.expected.end(), [&](const auto& e) { return e.meets(d); });
    if (it == reader.expected.end())
      surprises.push_back(&d);
    else
      it->met = true;
  }
  for (const auto& e : reader.expected)
    if (!e.met) problems.push_back(unmet(e, source));
  for (const auto* d : surprises) problems.push_back(unexpected(*d, part, source));
  return problems;
}

}  // namespace lmc::tools

#include "structured/regex_syntax.h"

#include <algorithm>
#include <cctype>
#include <cstdint>
#include <stdexcept>
#include <string>

namespace lmc::structured {

namespace {

constexpr size_t kMaxWeight = 5000;  // characters of the expanded expression
constexpr uint32_t kMaxCount = 1000;

Regex of(Regex::Kind kind, std::vector<Regex> kids) { return {kind, {}, std::move(kids)}; }
Regex set(ByteSet b) { return {Regex::Set, b, {}}; }

ByteSet range(uint32_t lo, uint32_t hi) {
  ByteSet b;
  for (uint32_t c = lo; c <= hi && c < 128; ++c) b.set(c);
  return b;
}

ByteSet digits() { return range('0', '9'); }
ByteSet word() { return range('a', 'z') | range('A', 'Z') | digits() | range('_', '_'); }
ByteSet space() { return range('\t', '\r') | range(' ', ' '); }

// The characters an expression expands to: what its automaton is built from.
size_t weight(const Regex& r) {
  size_t w = r.kind == Regex::Set ? 1 : 0;
  for (const Regex& k : r.kids) w += weight(k);
  return w;
}

// One member of a class: a character (its code point), or a class of its own (\d, ...).
struct Member {
  ByteSet bytes;
  int64_t code = -1;  // -1: a class
};

class Parser {
 public:
  Parser(std::string_view s, bool anywhere) : s_(s), anywhere_(anywhere) {}

  Regex parse() {
    std::vector<Regex> alts{top_alternative()};
    while (take('|')) alts.push_back(top_alternative());
    if (i_ != s_.size()) fail("a ')' closes no group");
    Regex r = alts.size() == 1 ? std::move(alts[0]) : of(Regex::Alt, std::move(alts));
    if (weight(r) > kMaxWeight) fail("the expression expands past " + std::to_string(kMaxWeight) + " characters");
    return r;
  }

 private:
  [[noreturn]] void fail(const std::string& why) const {
    throw std::invalid_argument("pattern '" + std::string(s_) + "' at " + std::to_string(i_) + ": " + why);
  }
  [[noreturn]] void outside(const std::string& construct) const {
    fail(construct + " is outside the regular subset lmc compiles");
  }
  bool at(char c) const { return i_ < s_.size() && s_[i_] == c; }
  bool take(char c) {
    if (!at(c)) return false;
    ++i_;
    return true;
  }
  bool at_end_anchor() const { return depth_ == 0 && at('$') && (i_ + 1 == s_.size() || s_[i_ + 1] == '|'); }

  // An alternative at the top: `^` may begin it and `$` end it; read anywhere, an end
  // without one may have any text beyond it.
  Regex top_alternative() {
    const bool starts = take('^');
    Regex r = sequence();
    const bool ends = take('$');
    if (!anywhere_) return r;
    std::vector<Regex> items;
    if (!starts) items.push_back(of(Regex::Star, {set(~range('\n', '\n'))}));
    items.push_back(std::move(r));
    if (!ends) items.push_back(of(Regex::Star, {set(~range('\n', '\n'))}));
    return of(Regex::Cat, std::move(items));
  }

  Regex alternation() {
    std::vector<Regex> alts{sequence()};
    while (take('|')) alts.push_back(sequence());
    return alts.size() == 1 ? std::move(alts[0]) : of(Regex::Alt, std::move(alts));
  }

  Regex sequence() {
    std::vector<Regex> items;
    while (i_ < s_.size() && !at('|') && !at(')') && !at_end_anchor()) items.push_back(repeated());
    return of(Regex::Cat, std::move(items));
  }

  bool quantifier_at() const { return at('?') || at('*') || at('+') || at('{'); }

  Regex repeated() {
    Regex r = atom();
    if (!quantifier_at()) return r;
    r = quantified(std::move(r));
    if (at('+')) outside("a possessive quantifier");
    take('?');  // lazy: it matches the same texts
    if (quantifier_at()) fail("a quantifier follows a quantifier");
    return r;
  }

  Regex quantified(Regex r) {
    const char q = s_[i_++];
    if (q == '?') return of(Regex::Opt, {std::move(r)});
    if (q == '*') return of(Regex::Star, {std::move(r)});
    if (q == '+') {
      Regex loop = of(Regex::Star, {r});
      return of(Regex::Cat, {std::move(r), std::move(loop)});
    }
    return counted(std::move(r));
  }

  uint32_t number() {
    uint32_t n = 0, count = 0;
    for (; i_ < s_.size() && s_[i_] >= '0' && s_[i_] <= '9' && count < 5; ++i_, ++count) n = n * 10 + (s_[i_] - '0');
    if (count == 0) fail("a '{' that does not begin a count {n}, {n,} or {n,m}");
    return n;
  }

  // x{n}, x{n,} and x{n,m}: n copies, then a loop or m - n optional ones.
  Regex counted(Regex r) {
    const uint32_t lo = number();
    uint32_t hi = lo;
    const bool comma = take(',');
    const bool endless = comma && at('}');
    if (comma && !endless) hi = number();
    if (!take('}')) fail("a count must be {n}, {n,} or {n,m}");
    if (hi < lo || hi > kMaxCount) fail("a count must have n <= m <= " + std::to_string(kMaxCount));
    if (weight(r) * (std::max(lo, hi) + 1) > kMaxWeight)
      fail("the count expands past " + std::to_string(kMaxWeight) + " characters");
    std::vector<Regex> items(lo, r);
    if (endless) items.push_back(of(Regex::Star, {r}));
    for (uint32_t k = lo; k < hi; ++k) items.push_back(of(Regex::Opt, {r}));
    return of(Regex::Cat, std::move(items));
  }

  Regex atom() {
    if (at('(')) return group();
    if (take('[')) return set(klass());
    if (take('\\')) {
      const Member m = escaped();
      return set(m.bytes);
    }
    if (take('.')) return set(~range('\n', '\n'));
    if (quantifier_at()) fail("a quantifier follows nothing");
    if (at('^')) fail("'^' is supported only at the start of the pattern or of an alternative of it");
    if (at('$')) fail("'$' is supported only at the end of the pattern or of an alternative of it");
    return set(character().bytes);
  }

  // (...), (?:...) and named groups (?<n>...), (?P<n>...), (?'n'...).
  Regex group() {
    ++i_;
    if (take('?')) {
      if (take(':')) {
      } else if ((at('<') && i_ + 1 < s_.size() && s_[i_ + 1] != '=' && s_[i_ + 1] != '!') || at('\'') ||
                 (at('P') && i_ + 1 < s_.size() && s_[i_ + 1] == '<')) {
        name();
      } else {
        outside(group_construct());
      }
    }
    ++depth_;
    Regex r = alternation();
    --depth_;
    if (!take(')')) fail("a group is not closed");
    return r;
  }

  std::string group_construct() const {
    const std::string_view rest = s_.substr(i_);
    if (rest.starts_with("=")) return "a lookahead '(?='";
    if (rest.starts_with("!")) return "a negative lookahead '(?!'";
    if (rest.starts_with("<=") || rest.starts_with("<!")) return "a lookbehind '(?<'";
    if (rest.starts_with(">")) return "an atomic group '(?>'";
    return "the group '(?" + std::string(rest.substr(0, 1)) + "'";
  }

  void name() {
    take('P');
    const char close = s_[i_++] == '\'' ? '\'' : '>';
    while (i_ < s_.size() && s_[i_] != close) ++i_;
    if (!take(close)) fail("a group's name is not closed");
  }

  // [...] and [^...]: characters, ranges and class escapes; a ']' first is a character.
  ByteSet klass() {
    const bool negated = take('^');
    ByteSet b;
    for (bool first = true;; first = false) {
      if (i_ == s_.size()) fail("a class is not closed");
      if (!first && take(']')) break;
      if (at('[') && i_ + 1 < s_.size() && (s_[i_ + 1] == ':' || s_[i_ + 1] == '=' || s_[i_ + 1] == '.'))
        outside("a POSIX class '[:...:]'");
      const Member lo = member();
      if (at('-') && i_ + 1 < s_.size() && s_[i_ + 1] != ']') {
        ++i_;
        const Member hi = member();
        if (lo.code < 0 || hi.code < 0) fail("a range's ends must be characters");
        if (hi.code < lo.code) fail("a range's ends must ascend");
        b |= range(static_cast<uint32_t>(lo.code), static_cast<uint32_t>(std::min<int64_t>(hi.code, 127)));
      } else {
        b |= lo.bytes;
      }
    }
    return negated ? ~b : b;
  }

  Member member() { return take('\\') ? escaped() : character(); }

  static Member of_code(uint32_t code) { return {range(code, code), code}; }

  // The escape after a '\'.
  Member escaped() {
    if (i_ == s_.size()) fail("'\\' ends the pattern");
    const char c = s_[i_];
    if (static_cast<unsigned char>(c) >= 128) return character();
    ++i_;
    switch (c) {
      case 'd':
        return {digits(), -1};
      case 'D':
        return {~digits(), -1};
      case 'w':
        return {word(), -1};
      case 'W':
        return {~word(), -1};
      case 's':
        return {space(), -1};
      case 'S':
        return {~space(), -1};
      case 'n':
        return of_code('\n');
      case 't':
        return of_code('\t');
      case 'r':
        return of_code('\r');
      case 'f':
        return of_code('\f');
      case 'x':
        return of_code(hex(2));
      case 'u':
        return of_code(hex(4));
      default:
        break;
    }
    if (std::isalnum(static_cast<unsigned char>(c))) outside(std::string("the escape '\\") + c + "'" + kind_of(c));
    return of_code(static_cast<unsigned char>(c));
  }

  static std::string kind_of(char c) {
    if ((c >= '1' && c <= '9') || c == 'k' || c == 'g') return " (a backreference)";
    if (std::string_view("bBAzZG").find(c) != std::string_view::npos) return " (an assertion)";
    if (c == 'p' || c == 'P') return " (a Unicode property)";
    return "";
  }

  uint32_t hex(int n) {
    uint32_t v = 0;
    for (int k = 0; k < n; ++k, ++i_) {
      const char c = i_ < s_.size() ? static_cast<char>(std::tolower(static_cast<unsigned char>(s_[i_]))) : 0;
      const bool dec = c >= '0' && c <= '9', letter = c >= 'a' && c <= 'f';
      if (!dec && !letter) fail("'\\x' takes 2 hex digits, '\\u' 4");
      v = v * 16 + static_cast<uint32_t>(dec ? c - '0' : c - 'a' + 10);
    }
    return v;
  }

  // One character as written, a UTF-8 sequence decoded.
  Member character() {
    const auto lead = static_cast<unsigned char>(s_[i_++]);
    if (lead < 0x80) return of_code(lead);
    const int more = lead >= 0xF0 ? 3 : lead >= 0xE0 ? 2 : lead >= 0xC0 ? 1 : -1;
    if (more < 0 || i_ + static_cast<size_t>(more) > s_.size()) fail("the pattern is not UTF-8");
    uint32_t code = lead & (0x3F >> more);
    for (int k = 0; k < more; ++k) code = code << 6 | (static_cast<unsigned char>(s_[i_++]) & 0x3F);
    return {ByteSet{}, code};
  }

  std::string_view s_;
  bool anywhere_;
  size_t i_ = 0;
  int depth_ = 0;
};

}  // namespace

Regex parse_regex(std::string_view text, bool anywhere) { return Parser(text, anywhere).parse(); }

}  // namespace lmc::structured

#include "tools/serve/server_tools/path_glob.h"

#include <vector>

namespace lmc::tools::server_tools {
namespace {

struct Token {
  enum Kind { Char, One, Star, Stars, AnyFolders, Set };
  Token(Kind k, char ch = 0) : kind(k), c(ch) {}
  Kind kind;
  char c;
  std::string set;  // Set: the characters and ranges ("a-z") between the brackets
  bool negated = false;
};

// "[...]" at `i` as a Set token, or false when it does not close (a plain '[' then).
bool read_set(const std::string& p, size_t& i, Token& t) {
  size_t j = i + 1;
  t = Token(Token::Set);
  if (j < p.size() && (p[j] == '!' || p[j] == '^')) t.negated = true, ++j;
  const size_t first = j;
  if (j < p.size() && p[j] == ']') ++j;  // a ']' first is one of the set
  while (j < p.size() && p[j] != ']') ++j;
  if (j >= p.size()) return false;
  t.set = p.substr(first, j - first);
  i = j + 1;
  return true;
}

std::vector<Token> tokens_of(const std::string& p) {
  std::vector<Token> out;
  for (size_t i = 0; i < p.size();) {
    Token t{Token::Char};
    if (p.compare(i, 3, "**/") == 0) {
      out.push_back({Token::AnyFolders});
      i += 3;
    } else if (p.compare(i, 2, "**") == 0) {
      out.push_back({Token::Stars});
      i += 2;
    } else if (p[i] == '*') {
      out.push_back({Token::Star});
      ++i;
    } else if (p[i] == '?') {
      out.push_back({Token::One});
      ++i;
    } else if (p[i] == '[' && read_set(p, i, t)) {
      out.push_back(t);
    } else {
      out.push_back(Token(Token::Char, p[i++]));
    }
  }
  return out;
}

bool in_set(const Token& t, char c) {
  bool hit = false;
  for (size_t k = 0; k < t.set.size() && !hit; ++k) {
    if (k + 2 < t.set.size() && t.set[k + 1] == '-') {
      hit = t.set[k] <= c && c <= t.set[k + 2];
      k += 2;
    } else {
      hit = t.set[k] == c;
    }
  }
  return hit != t.negated;
}

}  // namespace

bool glob_match(const std::string& pattern, const std::string& text) {
  const std::vector<Token> toks = tokens_of(pattern);
  const size_t n = text.size();
  // at[j]: tokens i.. match text j.., computed from the last token back.
  std::vector<char> at(n + 1, 0), next(n + 1, 0);
  next[n] = 1;  // no tokens left match the end only
  for (size_t i = toks.size(); i-- > 0;) {
    const Token& t = toks[i];
    for (size_t j = n + 1; j-- > 0;) {
      const bool more = j < n;
      switch (t.kind) {
        case Token::Char:
          at[j] = more && text[j] == t.c && next[j + 1];
          break;
        case Token::One:
          at[j] = more && text[j] != '/' && next[j + 1];
          break;
        case Token::Set:
          at[j] = more && text[j] != '/' && in_set(t, text[j]) && next[j + 1];
          break;
        case Token::Star:  // none, or one more character but '/'
          at[j] = next[j] || (more && text[j] != '/' && at[j + 1]);
          break;
        case Token::Stars:
          at[j] = next[j] || (more && at[j + 1]);
          break;
        case Token::AnyFolders: {  // none, or a run ending in '/' then the rest
          bool hit = next[j];
          for (size_t k = j; !hit && k < n; ++k) hit = text[k] == '/' && next[k + 1];
          at[j] = hit;
          break;
        }
      }
    }
    std::swap(at, next);
  }
  return next[0];
}

bool path_glob_match(const std::string& pattern, const std::string& rel_path) {
  if (pattern.find('/') == std::string::npos) return glob_match(pattern, rel_path.substr(rel_path.rfind('/') + 1));
  if (pattern[0] == '/') return glob_match(pattern.substr(1), rel_path);
  if (pattern.rfind("**", 0) == 0) return glob_match(pattern, rel_path);
  return glob_match("**/" + pattern, rel_path);
}

}  // namespace lmc::tools::server_tools

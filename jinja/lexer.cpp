// Tokenizer of templates (lexer.h). Text runs to the next "{{", "{%" or "{#"; inside a
// tag, expression tokens run to its closing delimiter, which only counts where brackets
// are balanced (so "{{ {'a': {}} }}" closes at the end), as in Jinja2.
#include "jinja/lexer.h"

#include <cctype>
#include <cstring>

#include "jinja/python_text.h"
#include "support/error.h"

namespace lmc::jinja {

namespace {

constexpr const char* kOperators[] = {"//", "**", "==", "!=", "<=", ">=", "+", "-", "*", "/", "%", "~", "<",
                                      ">",  "=",  ".",  ",",  ":",  "|",  "(", ")", "[", "]", "{", "}"};

bool all_space(std::string_view s) {
  for (char c : s)
    if (c != ' ' && c != '\t' && c != '\r' && c != '\f' && c != '\v') return false;
  return true;
}

std::string normalize_newlines(std::string_view source) {
  std::string out;
  out.reserve(source.size());
  for (size_t i = 0; i < source.size(); ++i) {
    if (source[i] == '\r') {
      out += '\n';
      if (i + 1 < source.size() && source[i + 1] == '\n') ++i;
    } else {
      out += source[i];
    }
  }
  if (!out.empty() && out.back() == '\n') out.pop_back();
  return out;
}

void append_utf8(std::string& out, uint32_t cp) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

class Lexer {
 public:
  Lexer(std::string source, const std::string& name) : s_(std::move(source)), name_(name) {}

  std::vector<Token> run() {
    bool line_starting = true;
    while (pos_ < s_.size()) {
      const size_t start = next_tag(pos_);
      std::string text = s_.substr(pos_, start - pos_);
      if (start == s_.size()) {
        emit_text(std::move(text));
        break;
      }
      const char kind = s_[start + 1];
      const char marker = start + 2 < s_.size() ? s_[start + 2] : '\0';
      if (marker == '-')
        text = strip(text, StripSide::kRight);
      else if (marker != '+' && kind != '{')
        text = lstripped(std::move(text), line_starting);
      if (kind == '%' && is_raw_begin(start)) {
        emit_text(std::move(text));
        line_starting = raw_block(start);
        continue;
      }
      emit_text(std::move(text));
      pos_ = start + 2 + ((marker == '-' || marker == '+') ? 1 : 0);
      line_starting = kind == '#' ? comment() : tag(kind == '{');
    }
    tokens_.push_back({TokenKind::kEof, "", line_});
    return std::move(tokens_);
  }

 private:
  size_t next_tag(size_t from) const {
    for (size_t i = from; i + 1 < s_.size(); ++i)
      if (s_[i] == '{' && (s_[i + 1] == '{' || s_[i + 1] == '%' || s_[i + 1] == '#')) return i;
    return s_.size();
  }

  // lstrip_blocks: the spaces between the line's start and a block or comment tag go.
  static std::string lstripped(std::string text, bool line_starting) {
    const size_t line_start = text.rfind('\n') + 1;  // npos + 1 == 0
    if ((line_start > 0 || line_starting) && all_space(std::string_view(text).substr(line_start)))
      text.resize(line_start);
    return text;
  }

  void emit_text(std::string text) {
    if (!text.empty()) tokens_.push_back({TokenKind::kText, text, line_});
    count_lines(text);
  }
  void count_lines(std::string_view text) {
    for (char c : text) line_ += c == '\n';
  }

  [[noreturn]] void fail(const std::string& what) const { throw error_at(name_ + ":" + std::to_string(line_), what); }

  // After a block or comment's closing delimiter at `end` (past it): "-" eats the
  // whitespace that follows, "+" nothing, otherwise trim_blocks eats one newline. Returns
  // whether what was consumed ended a line (lstrip_blocks' "line starting").
  bool close_block(size_t end, char before) {
    size_t p = end;
    if (before == '-') {
      while (p < s_.size() && std::isspace(static_cast<unsigned char>(s_[p]))) ++p;
    } else if (before != '+' && p < s_.size() && s_[p] == '\n') {
      ++p;
    }
    count_lines(std::string_view(s_).substr(pos_, p - pos_));
    pos_ = p;
    return p > 0 && s_[p - 1] == '\n';
  }

  bool comment() {
    const size_t end = s_.find("#}", pos_);
    if (end == std::string::npos) fail("missing end of comment tag");
    const char before = end > pos_ ? s_[end - 1] : '\0';
    return close_block(end + 2, before);
  }

  // "{% raw %}" at start, with optional "-"/"+" and spaces.
  bool is_raw_begin(size_t start) const { return raw_tag_end(start, "raw") != std::string::npos; }

  // Past the "%}" of "{% word %}" at start, or npos. As in Jinja2, "raw" may close with
  // "-%}" or "%}", "endraw" also with "+%}".
  size_t raw_tag_end(size_t start, const char* word) const {
    size_t p = start + 2;
    if (p < s_.size() && (s_[p] == '-' || s_[p] == '+')) ++p;
    while (p < s_.size() && std::isspace(static_cast<unsigned char>(s_[p]))) ++p;
    const size_t n = std::strlen(word);
    if (s_.compare(p, n, word) != 0) return std::string::npos;
    p += n;
    while (p < s_.size() && std::isspace(static_cast<unsigned char>(s_[p]))) ++p;
    if (p < s_.size() && (s_[p] == '-' || (s_[p] == '+' && n != 3))) ++p;
    return s_.compare(p, 2, "%}") == 0 ? p + 2 : std::string::npos;
  }

  bool raw_block(size_t start) {
    size_t body = raw_tag_end(start, "raw");
    if (s_[body - 3] == '-')
      while (body < s_.size() && std::isspace(static_cast<unsigned char>(s_[body]))) ++body;
    count_lines(std::string_view(s_).substr(start, body - start));
    for (size_t at = s_.find("{%", body); at != std::string::npos; at = s_.find("{%", at + 1)) {
      const size_t end = raw_tag_end(at, "endraw");
      if (end == std::string::npos) continue;
      std::string text = s_.substr(body, at - body);
      text = s_[at + 2] == '-' ? strip(text, StripSide::kRight) : s_[at + 2] == '+' ? text : lstripped(text, false);
      if (!text.empty()) tokens_.push_back({TokenKind::kText, text, line_});
      count_lines(std::string_view(s_).substr(body, at - body));
      pos_ = at;
      return close_block(end, s_[end - 3]);
    }
    fail("missing end of raw directive");
  }

  // The tokens of a {{ }} or {% %} tag whose body starts at pos_.
  bool tag(bool variable) {
    tokens_.push_back({variable ? TokenKind::kVarBegin : TokenKind::kBlockBegin, "", line_});
    int depth = 0;
    for (;;) {
      while (pos_ < s_.size() && std::isspace(static_cast<unsigned char>(s_[pos_]))) line_ += s_[pos_++] == '\n';
      if (pos_ >= s_.size())
        fail(variable ? "unexpected end of template, expected '}}'" : "unexpected end of template, expected '%}'");
      if (depth == 0) {
        const char* close = variable ? "}}" : "%}";
        for (const char* marker : {"-", "+", ""}) {
          if (variable && marker[0] == '+') continue;
          const size_t m = std::strlen(marker);
          if (s_.compare(pos_, m, marker) == 0 && s_.compare(pos_ + m, 2, close) == 0) {
            tokens_.push_back({variable ? TokenKind::kVarEnd : TokenKind::kBlockEnd, "", line_});
            pos_ += m + 2;
            if (variable && m == 0) return false;
            return close_block(pos_, m ? marker[0] : '\0');
          }
        }
      }
      expression_token(depth);
    }
  }

  void expression_token(int& depth) {
    const char c = s_[pos_];
    if (std::isalpha(static_cast<unsigned char>(c)) || c == '_') {
      size_t e = pos_;
      while (e < s_.size() && (std::isalnum(static_cast<unsigned char>(s_[e])) || s_[e] == '_')) ++e;
      push(TokenKind::kName, s_.substr(pos_, e - pos_), e);
    } else if (std::isdigit(static_cast<unsigned char>(c))) {
      number();
    } else if (c == '\'' || c == '"') {
      string_literal(c);
    } else {
      for (const char* op : kOperators) {
        const size_t n = std::strlen(op);
        if (s_.compare(pos_, n, op) != 0) continue;
        if (n == 1 && std::strchr("([{", op[0])) ++depth;
        if (n == 1 && std::strchr(")]}", op[0])) {
          if (depth == 0) fail(std::string("unexpected '") + op + "'");
          --depth;
        }
        push(TokenKind::kOp, op, pos_ + n);
        return;
      }
      fail(std::string("unexpected char '") + c + "'");
    }
  }

  void push(TokenKind kind, std::string text, size_t end) {
    tokens_.push_back({kind, std::move(text), line_});
    pos_ = end;
  }

  size_t digits(size_t p) const {
    while (p < s_.size() &&
           (std::isdigit(static_cast<unsigned char>(s_[p])) ||
            (s_[p] == '_' && p + 1 < s_.size() && std::isdigit(static_cast<unsigned char>(s_[p + 1])))))
      ++p;
    return p;
  }

  void number() {
    size_t e = digits(pos_);
    bool is_float = false;
    if (e + 1 < s_.size() && s_[e] == '.' && std::isdigit(static_cast<unsigned char>(s_[e + 1]))) {
      e = digits(e + 1);
      is_float = true;
    }
    if (e < s_.size() && (s_[e] == 'e' || s_[e] == 'E')) {
      size_t x = e + 1;
      if (x < s_.size() && (s_[x] == '+' || s_[x] == '-')) ++x;
      if (x < s_.size() && std::isdigit(static_cast<unsigned char>(s_[x]))) {
        e = digits(x);
        is_float = true;
      }
    }
    std::string text;
    for (size_t i = pos_; i < e; ++i)
      if (s_[i] != '_') text += s_[i];
    push(is_float ? TokenKind::kFloat : TokenKind::kInt, text, e);
  }

  uint32_t hex(size_t p, size_t n) const {
    if (p + n > s_.size()) fail("truncated \\x, \\u or \\U escape");
    uint32_t v = 0;
    for (size_t i = p; i < p + n; ++i) {
      if (!std::isxdigit(static_cast<unsigned char>(s_[i]))) fail("truncated \\x, \\u or \\U escape");
      v = v * 16 + static_cast<uint32_t>(
                       std::isdigit(static_cast<unsigned char>(s_[i])) ? s_[i] - '0' : std::tolower(s_[i]) - 'a' + 10);
    }
    if (v > 0x10FFFF) fail("escape names no character");
    return v;
  }

  void string_literal(char quote) {
    const int start_line = line_;
    std::string value;
    size_t p = pos_ + 1;
    for (;; ++p) {
      if (p >= s_.size()) {
        line_ = start_line;
        fail("unterminated string literal");
      }
      const char c = s_[p];
      if (c == quote) break;
      line_ += c == '\n';
      if (c != '\\') {
        value += c;
        continue;
      }
      if (++p >= s_.size()) continue;
      const char e = s_[p];
      static const char* kSimple = "nrtbfva0\\'\"\n";
      static const char* kMeaning = "\n\r\t\b\f\v\a";
      if (const char* at = std::strchr(kSimple, e); at && e) {
        const size_t i = static_cast<size_t>(at - kSimple);
        if (i < 7)
          value += kMeaning[i];
        else if (e == '0')
          value += '\0';
        else if (e == '\n')
          ++line_;  // a backslash-newline continues the line
        else
          value += e;
      } else if (e == 'x' || e == 'u' || e == 'U') {
        const size_t n = e == 'x' ? 2 : e == 'u' ? 4 : 8;
        append_utf8(value, hex(p + 1, n));
        p += n;
      } else {
        value += '\\';
        value += e;
      }
    }
    tokens_.push_back({TokenKind::kString, std::move(value), start_line});
    pos_ = p + 1;
  }

  std::string s_;
  const std::string& name_;
  size_t pos_ = 0;
  int line_ = 1;
  std::vector<Token> tokens_;
};

}  // namespace

std::vector<Token> tokenize(std::string_view source, const std::string& name) {
  return Lexer(normalize_newlines(source), name).run();
}

}  // namespace lmc::jinja

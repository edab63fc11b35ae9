#include "models/formats/json.h"

#include <charconv>
#include <string_view>
#include <bit>
#include <functional>
#include <vector>

#include "support/mapped_file.h"

namespace lmc::models::json {
namespace {

constexpr int kMaxDepth = 512;
// Objects up to this size check duplicate keys pairwise; larger ones use a hash set.
constexpr size_t kPairwiseKeyCheck = 16;

bool is_digit(char c) { return c >= '0' && c <= '9'; }

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

void append_utf8(std::string& out, uint32_t cp) {
  if (cp < 0x80) {
    out += char(cp);
  } else if (cp < 0x800) {
    out += char(0xc0 | (cp >> 6));
    out += char(0x80 | (cp & 0x3f));
  } else if (cp < 0x10000) {
    out += char(0xe0 | (cp >> 12));
    out += char(0x80 | ((cp >> 6) & 0x3f));
    out += char(0x80 | (cp & 0x3f));
  } else {
    out += char(0xf0 | (cp >> 18));
    out += char(0x80 | ((cp >> 12) & 0x3f));
    out += char(0x80 | ((cp >> 6) & 0x3f));
    out += char(0x80 | (cp & 0x3f));
  }
}

// Length of the well-formed UTF-8 sequence starting at s[0] (a byte >= 0x80), or 0 when
// it is malformed: overlong forms, surrogates and code points past U+10FFFF included.
size_t utf8_sequence_length(std::string_view s) {
  const auto b = [&](size_t i) { return i < s.size() ? uint8_t(s[i]) : uint8_t(0); };
  const auto cont = [&](size_t i) { return (b(i) & 0xc0) == 0x80; };
  const uint8_t c = b(0);
  if (c >= 0xc2 && c <= 0xdf) return cont(1) ? 2 : 0;
  if (c >= 0xe0 && c <= 0xef) {
    const uint8_t lo = c == 0xe0 ? 0xa0 : 0x80, hi = c == 0xed ? 0x9f : 0xbf;
    return b(1) >= lo && b(1) <= hi && cont(2) ? 3 : 0;
  }
  if (c >= 0xf0 && c <= 0xf4) {
    const uint8_t lo = c == 0xf0 ? 0x90 : 0x80, hi = c == 0xf4 ? 0x8f : 0xbf;
    return b(1) >= lo && b(1) <= hi && cont(2) && cont(3) ? 4 : 0;
  }
  return 0;
}

}  // namespace

std::string Source::where(uint64_t offset) const {
  if (by_offset_) return name_ + ":offset " + std::to_string(base_ + offset);
  uint64_t line = 1, col = 1;
  for (uint64_t i = 0; i < offset && i < text_.size(); ++i) {
    if (text_[i] == '\n') {
      ++line;
      col = 1;
    } else {
      ++col;
    }
  }
  return name_ + ":" + std::to_string(line) + ":" + std::to_string(col);
}

// Recursive descent over the whole text; `pos_` is the byte being looked at.
class Parser {
 public:
  Parser(std::string_view text, const Source* source) : text_(text), source_(source) {}

  Value parse_document() {
    skip_whitespace();
    Value root = parse_value(0);
    skip_whitespace();
    if (pos_ != text_.size()) throw error_here("unexpected text after the JSON value");
    return root;
  }

 private:
  Error error_at_offset(uint64_t offset, const std::string& what) const {
    return error_at(source_->where(offset), what);
  }
  Error error_here(const std::string& what) const { return error_at_offset(pos_, what); }

  bool at_end() const { return pos_ >= text_.size(); }
  char peek() const { return at_end() ? '\0' : text_[pos_]; }

  void skip_whitespace() {
    while (!at_end()) {
      const char c = text_[pos_];
      if (c != ' ' && c != '\n' && c != '\r' && c != '\t') return;
      ++pos_;
    }
  }

  void expect(char c, const char* context) {
    if (peek() != c) throw error_here(std::string("expected '") + c + "' " + context);
    ++pos_;
  }

  Value make(uint64_t offset) const {
    Value v;
    v.source_ = source_;
    v.offset_ = offset;
    return v;
  }

  Value parse_value(int depth) {
    if (at_end()) throw error_here("unexpected end of input, expected a value");
    switch (text_[pos_]) {
      case '{': return parse_object(depth);
      case '[': return parse_array(depth);
      case '"': {
        Value v = make(pos_);
        v.data_ = parse_string();
        return v;
      }
      case 't': return parse_literal("true", true);
      case 'f': return parse_literal("false", false);
      case 'n': return parse_literal("null", std::monostate{});
      default: return parse_number();
    }
  }

  template <class T>
  Value parse_literal(std::string_view word, T payload) {
    if (text_.substr(pos_, word.size()) != word) throw error_here("invalid literal");
    Value v = make(pos_);
    v.data_ = payload;
    pos_ += word.size();
    return v;
  }

  void enter(int depth) const {
    if (depth >= kMaxDepth)
      throw error_here("nesting deeper than " + std::to_string(kMaxDepth) + " levels");
  }

  Value parse_array(int depth) {
    enter(depth);
    Value v = make(pos_);
    ++pos_;  // '['
    Array items;
    skip_whitespace();
    if (peek() == ']') {
      ++pos_;
    } else {
      for (;;) {
        skip_whitespace();
        items.push_back(parse_value(depth + 1));
        skip_whitespace();
        if (peek() == ']') {
          ++pos_;
          break;
        }
        expect(',', "or ']' in array");
      }
    }
    v.data_ = std::move(items);
    return v;
  }

  Value parse_object(int depth) {
    enter(depth);
    Value v = make(pos_);
    ++pos_;  // '{'
    Object members;
    skip_whitespace();
    if (peek() == '}') {
      ++pos_;
    } else {
      for (;;) {
        skip_whitespace();
        Member m;
        m.key_offset = pos_;
        if (peek() != '"') throw error_here("expected a string key in object");
        m.key = parse_string();
        skip_whitespace();
        expect(':', "after object key");
        skip_whitespace();
        m.value = parse_value(depth + 1);
        members.push_back(std::move(m));
        skip_whitespace();
        if (peek() == '}') {
          ++pos_;
          break;
        }
        expect(',', "or '}' in object");
      }
    }
    check_unique_keys(members);
    v.data_ = std::move(members);
    return v;
  }

  void check_unique_keys(const Object& members) const {
    const auto duplicate = [&](const Member& m) {
      return error_at_offset(m.key_offset, "duplicate key '" + m.key + "'");
    };
    if (members.size() <= kPairwiseKeyCheck) {
      for (size_t i = 1; i < members.size(); ++i)
        for (size_t j = 0; j < i; ++j)
          if (members[i].key == members[j].key) throw duplicate(members[i]);
      return;
    }
    // Open addressing over member indices: no allocation per key, which matters for
    // vocabulary objects with hundreds of thousands of members.
    const size_t mask = std::bit_ceil(members.size() * 2) - 1;
    std::vector<uint32_t> slots(mask + 1, 0);  // member index + 1; 0 is empty
    const std::hash<std::string_view> hash;
    for (size_t i = 0; i < members.size(); ++i) {
      size_t slot = hash(members[i].key) & mask;
      for (; slots[slot] != 0; slot = (slot + 1) & mask)
        if (members[slots[slot] - 1].key == members[i].key) throw duplicate(members[i]);
      slots[slot] = uint32_t(i + 1);
    }
  }

  std::string parse_string() {
    ++pos_;  // opening quote
    std::string out;
    for (;;) {
      // Copy the longest run that needs no decoding in one go.
      const size_t run_start = pos_;
      while (!at_end()) {
        const uint8_t c = uint8_t(text_[pos_]);
        if (c == '"' || c == '\\' || c < 0x20 || c >= 0x80) break;
        ++pos_;
      }
      out.append(text_, run_start, pos_ - run_start);
      if (at_end()) throw error_here("unterminated string");
      const uint8_t c = uint8_t(text_[pos_]);
      if (c == '"') {
        ++pos_;
        return out;
      }
      if (c == '\\') {
        parse_escape(out);
      } else if (c < 0x20) {
        throw error_here("control character in string (must be escaped)");
      } else {
        const size_t len = utf8_sequence_length(text_.substr(pos_, 4));
        if (len == 0) throw error_here("invalid UTF-8 in string");
        out.append(text_, pos_, len);
        pos_ += len;
      }
    }
  }

  void parse_escape(std::string& out) {
    const uint64_t start = pos_;
    ++pos_;  // backslash
    const char e = peek();
    ++pos_;
    switch (e) {
      case '"': out += '"'; return;
      case '\\': out += '\\'; return;
      case '/': out += '/'; return;
      case 'b': out += '\b'; return;
      case 'f': out += '\f'; return;
      case 'n': out += '\n'; return;
      case 'r': out += '\r'; return;
      case 't': out += '\t'; return;
      case 'u': break;
      default: throw error_at_offset(start, "invalid escape in string");
    }
    uint32_t cp = parse_hex4(start);
    if (cp >= 0xdc00 && cp <= 0xdfff)
      throw error_at_offset(start, "unpaired low surrogate in string");
    if (cp >= 0xd800 && cp <= 0xdbff) {
      if (text_.substr(pos_, 2) != "\\u")
        throw error_at_offset(start, "unpaired high surrogate in string");
      pos_ += 2;
      const uint32_t low = parse_hex4(start);
      if (low < 0xdc00 || low > 0xdfff)
        throw error_at_offset(start, "unpaired high surrogate in string");
      cp = 0x10000 + ((cp - 0xd800) << 10) + (low - 0xdc00);
    }
    append_utf8(out, cp);
  }

  uint32_t parse_hex4(uint64_t escape_start) {
    uint32_t cp = 0;
    for (int i = 0; i < 4; ++i) {
      const int h = hex_value(peek());
      if (h < 0) throw error_at_offset(escape_start, "invalid \\u escape in string");
      cp = cp * 16 + uint32_t(h);
      ++pos_;
    }
    return cp;
  }

  // -?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)? ; integers that fit stay exact.
  Value parse_number() {
    const uint64_t start = pos_;
    const auto digits = [&] {
      const size_t from = pos_;
      while (is_digit(peek())) ++pos_;
      return pos_ - from;
    };
    if (peek() == '-') ++pos_;
    if (peek() == '0') {
      ++pos_;
      if (is_digit(peek())) throw error_at_offset(start, "leading zero in number");
    } else if (digits() == 0) {
      throw error_at_offset(start, "expected a value");
    }
    bool integral = true;
    if (peek() == '.') {
      ++pos_;
      integral = false;
      if (digits() == 0) throw error_here("expected a digit after '.' in number");
    }
    if (peek() == 'e' || peek() == 'E') {
      ++pos_;
      integral = false;
      if (peek() == '+' || peek() == '-') ++pos_;
      if (digits() == 0) throw error_here("expected a digit in number exponent");
    }
    const char* first = text_.data() + start;
    const char* last = text_.data() + pos_;
    Value v = make(start);
    if (integral) {
      int64_t i;
      if (std::from_chars(first, last, i).ec == std::errc()) {
        v.data_ = i;
        return v;
      }
    }
    double d;
    if (std::from_chars(first, last, d).ec != std::errc())
      throw error_at_offset(start, "number out of range");
    v.data_ = d;
    return v;
  }

  std::string_view text_;
  const Source* source_;
  uint64_t pos_ = 0;
};

const char* Value::kind_name() const {
  static const char* const names[] = {"null", "a bool", "an integer", "a number",
                                      "a string", "an array", "an object"};
  return names[data_.index()];
}

std::string Value::where() const { return source_ ? source_->where(offset_) : "<json>"; }

Error Value::error(const std::string& what) const { return error_at(where(), what); }

namespace {

Error wrong_kind(const Value& v, const char* wanted) {
  return v.error(std::string("expected ") + wanted + ", found " + v.kind_name());
}

}  // namespace

bool Value::as_bool() const {
  if (!is_bool()) throw wrong_kind(*this, "a bool");
  return std::get<bool>(data_);
}

int64_t Value::as_int() const {
  if (!is_int()) throw wrong_kind(*this, "an integer");
  return std::get<int64_t>(data_);
}

double Value::as_number() const {
  if (is_int()) return double(std::get<int64_t>(data_));
  if (kind() != Kind::Float) throw wrong_kind(*this, "a number");
  return std::get<double>(data_);
}

const std::string& Value::as_string() const {
  if (!is_string()) throw wrong_kind(*this, "a string");
  return std::get<std::string>(data_);
}

const Array& Value::as_array() const {
  if (!is_array()) throw wrong_kind(*this, "an array");
  return std::get<Array>(data_);
}

const Object& Value::as_object() const {
  if (!is_object()) throw wrong_kind(*this, "an object");
  return std::get<Object>(data_);
}

const Value* Value::find(std::string_view key) const {
  for (const Member& m : as_object())
    if (m.key == key) return &m.value;
  return nullptr;
}

const Value& Value::at(std::string_view key) const {
  const Value* v = find(key);
  if (!v) throw error("missing key '" + std::string(key) + "'");
  return *v;
}

Document Document::parse_with(std::string_view text, std::unique_ptr<Source> source) {
  Document doc;
  doc.root_ = Parser(text, source.get()).parse_document();
  doc.source_ = std::move(source);
  return doc;
}

Document Document::parse(std::string text, std::string name) {
  auto source = std::make_unique<Source>(std::move(name), std::move(text));
  // The Source owns the text now; parse the copy it holds.
  const std::string_view view = source->text();
  return parse_with(view, std::move(source));
}

Document Document::parse_embedded(std::string_view text, std::string name, uint64_t base) {
  return parse_with(text, std::make_unique<Source>(std::move(name), base));
}

Document Document::read_file(const std::string& path) {
  const std::unique_ptr<MappedFile> file = MappedFile::open(path);
  std::string text;
  if (file->size() > 0) text.assign(reinterpret_cast<const char*>(file->data()), file->size());
  return parse(std::move(text), path);
}

}  // namespace lmc::models::json

#include "models/formats/json.h"

#include <algorithm>
#include <bit>
#include <functional>
#include <iterator>
#include <limits>
#include <nlohmann/json.hpp>
#include <vector>

#include "support/mapped_file.h"
#include "support/untrusted_text.h"

namespace lmc::models::json {
namespace {

constexpr int kMaxDepth = 512;
// Objects up to this size check duplicate keys pairwise; larger ones use a hash set.
constexpr size_t kPairwiseKeyCheck = 16;

// The text for nlohmann's lexer to read one byte at a time. Every copy steps one shared
// pointer, so its owner knows how far the lexer has read; copies compare equal once the
// text is used up (the lexer compares its copy with another for the end).
class CountingIterator {
 public:
  using iterator_category = std::input_iterator_tag;
  using value_type = char;
  using difference_type = std::ptrdiff_t;
  using pointer = const char*;
  using reference = const char&;

  CountingIterator(const char** at, const char* end) : at_(at), end_(end) {}
  const char& operator*() const { return **at_; }
  CountingIterator& operator++() {
    ++*at_;
    return *this;
  }
  CountingIterator operator++(int) {
    CountingIterator before = *this;
    ++*at_;
    return before;
  }
  bool operator==(const CountingIterator&) const { return *at_ == end_; }

 private:
  const char** at_;
  const char* end_;
};

// The end of the number the lexer accepted at `at`: -?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)?
uint64_t number_end(std::string_view text, uint64_t at) {
  const auto is = [&](char c) { return at < text.size() && text[at] == c; };
  const auto digits = [&] {
    while (at < text.size() && text[at] >= '0' && text[at] <= '9') ++at;
  };
  if (is('-')) ++at;
  if (is('0'))
    ++at;
  else
    digits();
  if (is('.')) {
    ++at;
    digits();
  }
  if (is('e') || is('E')) {
    ++at;
    if (is('+') || is('-')) ++at;
    digits();
  }
  return at;
}

uint64_t skip_whitespace(std::string_view text, uint64_t at) {
  while (at < text.size() && (text[at] == ' ' || text[at] == '\n' || text[at] == '\r' || text[at] == '\t')) ++at;
  return at;
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

// Builds the DOM from nlohmann's SAX events, which come just after the lexer has read their
// token. A value or key starts at the first token after the last value, key or bracket
// (past the ',' or ':' between); it ends where the lexer has read to (but a number, whose
// next byte the lexer has read too, ends where its text does). Errors in the structure
// (depth, duplicate keys) are thrown from the events.
class Parser {
 public:
  Parser(std::string_view text, const Source* source) : text_(text), source_(source), reached_(text.data()) {}

  Value parse_document() {
    if (text_.starts_with("\xef\xbb\xbf")) throw error_at_offset(0, "byte order mark before the JSON text");
    const CountingIterator reader(&reached_, text_.data() + text_.size());
    nlohmann::json::sax_parse(reader, reader, this);
    // The lexer takes a NUL byte for the end of the input; here it is text after the value.
    if (consumed() > 0 && text_[consumed() - 1] == '\0')
      throw error_at_offset(consumed() - 1, "unexpected text after the JSON value");
    return std::move(root_);
  }

  // nlohmann's SAX interface.
  bool null() { return scalar(std::monostate{}, consumed()); }
  bool boolean(bool b) { return scalar(b, consumed()); }
  bool number_integer(int64_t i) { return number(i); }
  bool number_unsigned(uint64_t u) {  // past int64: a Float, like any other such literal
    return u <= uint64_t(std::numeric_limits<int64_t>::max()) ? number(int64_t(u)) : number(double(u));
  }
  bool number_float(double d, const std::string&) { return number(d); }
  bool string(std::string& s) { return scalar(std::move(s), consumed()); }
  bool binary(nlohmann::json::binary_t&) { return true; }  // not in JSON text
  bool start_object(std::size_t) { return open(Object()); }
  bool start_array(std::size_t) { return open(Array()); }
  bool key(std::string& k) {
    open_.back().key = std::move(k);
    open_.back().key_offset = next_token();
    last_end_ = consumed();
    after_value_ = true;
    return true;
  }
  bool end_object() {
    check_unique_keys(std::get<Object>(open_.back().value.data_));
    return close();
  }
  bool end_array() { return close(); }
  bool parse_error(std::size_t position, const std::string&, const nlohmann::json::exception& e) {
    throw failure(position, e);
  }

 private:
  uint64_t consumed() const { return uint64_t(reached_ - text_.data()); }

  Error error_at_offset(uint64_t offset, const std::string& what) const {
    return error_at(source_->where(offset), what);
  }

  Value make(uint64_t offset) const {
    Value v;
    v.source_ = source_;
    v.offset_ = offset;
    return v;
  }

  // Where the token after the last value, key or bracket starts: past whitespace, and past
  // the ',' or ':' that follows a value or key.
  uint64_t next_token() const {
    const uint64_t at = skip_whitespace(text_, last_end_);
    return after_value_ && at < text_.size() ? skip_whitespace(text_, at + 1) : at;
  }

  template <class T>
  bool scalar(T payload, uint64_t end) {
    Value v = make(next_token());
    v.data_ = std::move(payload);
    return add(std::move(v), end);
  }

  // The lexer has read the byte after a number too (unless the text ended), so its end
  // comes from its text.
  template <class T>
  bool number(T n) {
    Value v = make(next_token());
    v.data_ = n;
    const uint64_t end = number_end(text_, v.offset_);
    return add(std::move(v), end);
  }

  template <class Container>
  bool open(Container empty) {
    const uint64_t at = consumed() - 1;  // the '[' or '{'
    if (open_.size() >= size_t(kMaxDepth))
      throw error_at_offset(at, "nesting deeper than " + std::to_string(kMaxDepth) + " levels");
    last_end_ = at + 1;
    after_value_ = false;
    open_.emplace_back().value = make(at);
    open_.back().value.data_ = std::move(empty);
    return true;
  }

  bool close() {
    Value v = std::move(open_.back().value);
    open_.pop_back();
    return add(std::move(v), consumed());
  }

  // Puts a finished value into the array or object it is part of. `end` is where its
  // token ended.
  bool add(Value&& v, uint64_t end) {
    last_end_ = end;
    after_value_ = true;
    if (open_.empty()) {
      root_ = std::move(v);
    } else if (Array* array = std::get_if<Array>(&open_.back().value.data_)) {
      array->push_back(std::move(v));
    } else {
      OpenValue& object = open_.back();
      std::get<Object>(object.value.data_).push_back({std::move(object.key), std::move(v), object.key_offset});
    }
    return true;
  }

  void check_unique_keys(const Object& members) const {
    const auto duplicate = [&](const Member& m) {
      return error_at_offset(m.key_offset, "duplicate key " + quoted_name(m.key));
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

  // nlohmann's message reads "... syntax error while parsing <context> - <what>[; last read:
  // '<text>'][; expected <token>]". <what> is "unexpected <token>" when a whole token is
  // out of place, else the lexer's complaint about the byte it stopped at. Errors name the
  // token's start, but the byte itself in a string or number. `position` counts the bytes
  // the lexer has taken.
  Error failure(uint64_t position, const nlohmann::json::exception& e) const {
    if (e.id == 406) return error_at_offset(next_token(), "number out of range");
    const std::string_view message = e.what(), parsing = "while parsing ", unexpected = "unexpected ";
    const size_t from = message.find(parsing), dash = message.find(" - ");
    const uint64_t byte = std::min<uint64_t>(position ? position - 1 : 0, text_.size());
    if (from == std::string_view::npos || dash == std::string_view::npos || dash < from)
      return error_at_offset(byte, std::string(message));
    const std::string_view context = message.substr(from + parsing.size(), dash - from - parsing.size());
    const std::string_view what = message.substr(dash + 3);
    const uint64_t due = skip_whitespace(text_, last_end_);  // where a separator or the end was due
    if (message.ends_with("; expected end of input"))
      return error_at_offset(due, "unexpected text after the JSON value");
    const char* separator = context == "object separator" ? "':' after object key"
                            : context == "array"          ? "',' or ']' in array"
                            : context == "object"         ? "',' or '}' in object"
                                                          : nullptr;
    if (!what.starts_with(unexpected)) {  // the lexer's complaint
      if (separator) return error_at_offset(due, std::string("expected ") + separator);
      const uint64_t at = next_token();
      const char first = at < text_.size() ? text_[at] : '\0';
      if (context == "object key" && first != '"') return error_at_offset(at, "expected a string key in object");
      const bool inside = first == '"' || first == '-' || (first >= '0' && first <= '9');
      return error_at_offset(inside ? byte : at, std::string(what.substr(0, what.find("; last read: "))));
    }
    const uint64_t at = separator ? due : next_token();
    std::string found(what.substr(unexpected.size(), what.find(';') - unexpected.size()));
    if (found == "end of input" && at < text_.size()) found = "a NUL byte";
    if (separator) return error_at_offset(at, std::string("expected ") + separator + ", found " + found);
    if (context == "object key") return error_at_offset(at, "expected a string key in object, found " + found);
    if (context != "value") return error_at_offset(at, std::string(what));
    return error_at_offset(
        at, found == "end of input" ? "unexpected end of input, expected a value" : "expected a value, found " + found);
  }

  // An array or object not yet closed; for an object, the key whose value comes next.
  struct OpenValue {
    Value value;
    std::string key;
    uint64_t key_offset = 0;
  };

  std::string_view text_;
  const Source* source_;
  const char* reached_;  // just past the last byte the lexer has taken
  std::vector<OpenValue> open_;  // outermost first
  Value root_;
  uint64_t last_end_ = 0;     // where the last value, key or opening bracket ended
  bool after_value_ = false;  // the last was a value or key, not a bracket
};

const char* Value::kind_name() const {
  static const char* const names[] = {"null", "a bool", "an integer", "a number", "a string", "an array", "an object"};
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

// A strict JSON (RFC 8259) DOM for the files that sit beside model weights: SafeTensors
// headers, HF config.json, tokenizer.json. nlohmann-json parses; its SAX events build this
// DOM, which keeps members in file order and every value's place. Strict because these
// files come from the internet: invalid UTF-8, lone surrogates, trailing commas and control
// characters in strings (nlohmann rejects them), duplicate keys, a byte order mark and
// nesting deeper than 512 (this layer does) are errors. Every value remembers where it
// came from, so a consumer's complaint about a value names the file and place.
#pragma once
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "support/error.h"

namespace lmc::models::json {

class Value;
struct Member;
using Array = std::vector<Value>;
using Object = std::vector<Member>;  // in file order

// Names a document's places: "name:line:col" for a file of its own, "name:offset N" for
// JSON embedded at byte `base` of a binary file (a SafeTensors header).
class Source {
 public:
  Source(std::string name, std::string text) : name_(std::move(name)), text_(std::move(text)) {}
  Source(std::string name, uint64_t base) : name_(std::move(name)), base_(base), by_offset_(true) {}
  std::string where(uint64_t offset) const;
  const std::string& name() const { return name_; }
  const std::string& text() const { return text_; }  // empty for embedded JSON

 private:
  std::string name_;
  std::string text_;  // kept only to turn offsets into lines and columns
  uint64_t base_ = 0;
  bool by_offset_ = false;
};

class Value {
 public:
  enum class Kind : uint8_t { Null, Bool, Int, Float, String, Array, Object };

  Kind kind() const { return Kind(data_.index()); }
  const char* kind_name() const;  // "a string", "an object", ...
  bool is_null() const { return kind() == Kind::Null; }
  bool is_bool() const { return kind() == Kind::Bool; }
  bool is_int() const { return kind() == Kind::Int; }  // an integer literal within int64
  bool is_number() const { return kind() == Kind::Int || kind() == Kind::Float; }
  bool is_string() const { return kind() == Kind::String; }
  bool is_array() const { return kind() == Kind::Array; }
  bool is_object() const { return kind() == Kind::Object; }

  // Checked accessors: a value of another kind throws an error naming this value's place.
  bool as_bool() const;
  int64_t as_int() const;
  double as_number() const;  // integers too
  const std::string& as_string() const;
  const Array& as_array() const;
  const Object& as_object() const;
  // Member lookup on an object (linear: objects keep file order). find returns nullptr
  // when absent; at throws.
  const Value* find(std::string_view key) const;
  const Value& at(std::string_view key) const;

  uint64_t offset() const { return offset_; }  // byte offset in the parsed text
  std::string where() const;
  Error error(const std::string& what) const;  // "<where>: error: <what>"

 private:
  friend class Parser;
  // Alternative order matches Kind.
  std::variant<std::monostate, bool, int64_t, double, std::string, Array, Object> data_;
  // Owned by the Document; a Value copied out of its Document must not outlive it.
  const Source* source_ = nullptr;
  uint64_t offset_ = 0;
};

struct Member {
  std::string key;
  Value value;
  uint64_t key_offset = 0;
};

class Document {
 public:
  // Errors read "name:line:col: error: ...".
  static Document parse(std::string text, std::string name);
  // For JSON embedded at byte `base` of a binary file: errors read "name:offset N: error: ...".
  static Document parse_embedded(std::string_view text, std::string name, uint64_t base);
  static Document read_file(const std::string& path);

  const Value& root() const { return root_; }
  const Source& source() const { return *source_; }

 private:
  static Document parse_with(std::string_view text, std::unique_ptr<Source> source);
  std::unique_ptr<Source> source_;  // heap-held so Values' pointers survive moves
  Value root_;
};

}  // namespace lmc::models::json

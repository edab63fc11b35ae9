// A JSON value checked against a JSON schema once it is whole: what a tool call's
// arguments are judged by when the grammar left keywords out (schema_compiler.h's
// left_out: pattern, uniqueItems, a fractional multipleOf, ...). The whole schema is checked
// with JSON Schema 2020-12's meaning, not the generator's: additionalProperties absent allows
// other keys, an unknown keyword is an annotation, a reference is read in its document
// (schema_document.h). `pattern` and `patternProperties` are PCRE2 expressions matched
// anywhere in the text (as ECMA-262's are), compiled when the validator is made (one that
// does not compile is a SchemaError then) and matched under a match limit, so a hostile one
// costs little; `format` is string_formats.h's grammars (other formats are annotations).
#pragma once
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>

namespace lmc::structured {

class SchemaValidator {
 public:
  // Throws SchemaError for a pattern PCRE2 does not take.
  explicit SchemaValidator(nlohmann::ordered_json schema);
  ~SchemaValidator();
  SchemaValidator(const SchemaValidator&) = delete;
  SchemaValidator& operator=(const SchemaValidator&) = delete;

  // "" when `value` is valid; else what fails, after the JSON pointer of the value at fault.
  std::string check(const nlohmann::json& value) const;

 private:
  struct Regex;
  using Json = nlohmann::ordered_json;
  // Where a check is: how deep, and the steps the whole check has taken so far. Both are
  // bounded, so that a schema whose alternatives refer back to themselves cannot make a
  // check run away.
  struct Walk {
    int depth = 0;
    size_t* steps = nullptr;
    Walk deeper() const { return {depth + 1, steps}; }
  };
  void compile_patterns(const Json& s, const std::string& at);
  void add_pattern(const std::string& pattern, const std::string& at);
  bool matches(const std::string& pattern, const std::string& text) const;
  std::string check(const Json& doc, const Json& s, const nlohmann::json& v, const std::string& where, Walk w) const;
  std::string applicators(const Json& doc, const Json& s, const nlohmann::json& v, const std::string& where,
                          Walk w) const;
  std::string object(const Json& doc, const Json& s, const nlohmann::json& v, const std::string& where, Walk w) const;
  std::string array(const Json& doc, const Json& s, const nlohmann::json& v, const std::string& where, Walk w) const;
  std::string string(const Json& s, const std::string& v) const;

  Json schema_;
  std::map<std::string, std::unique_ptr<Regex>> patterns_;
};

}  // namespace lmc::structured

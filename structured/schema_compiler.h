// JSON schema -> grammar (json_grammar.h), for OpenAI's response_format and a tool's
// parameters. The subset compiled: type (one or a list; nullable is a list with "null"),
// properties, required, additionalProperties, enum, const, items, minItems/maxItems,
// minLength/maxLength, format (date, time, date-time, uuid, ipv4, email: string_formats.h),
// pattern (a regular subset of PCRE2's syntax, regex_syntax.h, its text printable ASCII
// without '"' or '\\': byte_dfa.h), a pattern beside a format or a length as their intersection,
// minimum/maximum and their exclusive forms, a whole multipleOf (number_bounds.h), anyOf,
// oneOf (alternatives that cannot match one value alike), allOf of one schema, $ref to any
// place in the same document (#/$defs/..., #/definitions/..., #; a subschema with an $id is
// a document of its own, schema_document.h), and the annotations (title, description,
// default, examples, ...).
//
// Every other keyword would change which answers are valid. For response_format it is
// refused, never ignored: a SchemaError names it and its JSON pointer. A tool's parameters
// are compiled with `left_out`: such a keyword (a pattern outside the subset, uniqueItems, a oneOf whose
// alternatives overlap, ...) is left out of the grammar and its pointer listed there, for
// the caller to check the answer after decoding. A schema that is no schema (a wrong type, a
// reference to nothing, no finite value) is a SchemaError either way.
//
// The grammar may allow fewer answers than the schema, never more than it with the keywords
// left out: an object's answer holds only its listed properties (and the required ones it
// does not list, last), in the order listed, whatever additionalProperties says (absent and
// true then act as false), a bounded number has no exponent, and a schema without a type is
// answered with the types its keywords are about.
#pragma once
#include <memory>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>
#include <vector>

#include "structured/json_grammar.h"

namespace lmc::structured {

struct SchemaError : std::runtime_error {
  SchemaError(std::string pointer, const std::string& message)
      : std::runtime_error(message), pointer(std::move(pointer)) {}
  std::string pointer;  // of the keyword at fault, in the schema ("" for the schema itself)
};

// Throws SchemaError. With `left_out`, the keywords the grammar leaves out are appended
// there (their JSON pointers) rather than refused.
std::shared_ptr<const Grammar> compile_schema(const nlohmann::ordered_json& schema,
                                              std::vector<std::string>* left_out = nullptr);
// Any JSON object (response_format {"type": "json_object"}).
std::shared_ptr<const Grammar> json_object_grammar();

}  // namespace lmc::structured

// JSON schema -> grammar (json_grammar.h), for OpenAI's response_format. The subset
// compiled: type (one or a list; nullable is a list with "null"), properties, required,
// additionalProperties, enum, const, items, minItems/maxItems, minLength/maxLength,
// anyOf, oneOf (alternatives that cannot match one value alike), $ref to any place in
// the same document (#/$defs/..., #/definitions/..., #; a subschema with an $id is a
// document of its own, schema_document.h), and the annotations (title, description,
// default, examples, ...). Every other keyword would change which answers
// are valid, so it is refused, never ignored: a SchemaError names it and its JSON pointer.
//
// The grammar may allow fewer answers than the schema, never more: an object's answer
// holds only its listed properties, in the order listed, whatever additionalProperties
// says (absent and true then act as false), and a schema without a type is answered with
// the types its keywords are about.
#pragma once
#include <memory>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>

#include "structured/json_grammar.h"

namespace lmc::structured {

struct SchemaError : std::runtime_error {
  SchemaError(std::string pointer, const std::string& message)
      : std::runtime_error(message), pointer(std::move(pointer)) {}
  std::string pointer;  // of the keyword at fault, in the schema ("" for the schema itself)
};

// Throws SchemaError.
std::shared_ptr<const Grammar> compile_schema(const nlohmann::ordered_json& schema);
// Any JSON object (response_format {"type": "json_object"}).
std::shared_ptr<const Grammar> json_object_grammar();

}  // namespace lmc::structured

// Python's operators on template values, as Jinja2 evaluates them: arithmetic (+ - * / //
// % ** with Python's int and float rules, string and list concatenation and repetition),
// `in`, and a slice's indices. Errors are EvalError in Python's words; int64 overflow is an
// error where Python's ints would grow.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "jinja/value.h"

namespace lmc::jinja {

// `a op b`; a repeated string or list may not pass `limit` bytes or elements.
Value arithmetic(const std::string& op, const Value& a, const Value& b, size_t limit);
// `item in container`.
bool contains(const Value& container, const Value& item);
// Python's slice bounds for a sequence of n elements (null: left out).
std::vector<size_t> slice_indices(int64_t n, const Value* start, const Value* stop, const Value* step_v);

}  // namespace lmc::jinja

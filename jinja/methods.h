// Python methods templates call on values: str's strip, split, startswith, replace...,
// dict's items, keys, values and get, list's index and count. Mutating methods are not
// offered, as Hugging Face's immutable sandbox refuses them.
#pragma once
#include <string>

#include "jinja/value.h"

namespace lmc::jinja {

// obj.name as a bound method, or an undefined value when obj's type has no such method.
Value bound_method(const Value& obj, const std::string& name);

}  // namespace lmc::jinja

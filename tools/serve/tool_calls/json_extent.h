// Where a JSON object or array in a text ends, found by its brackets alone: a model's answer
// holds tool calls one after another (Llama 3.2's `{...}; {...}`), or a streamed one holds
// the start of a call, so neither is JSON as a whole for a parser to read. And where a
// member's value lies in an object's text: a call's arguments are answered as the bytes the
// model wrote, whole or streamed alike, never as a parser would write them again.
#pragma once
#include <cstddef>
#include <string_view>

namespace lmc::tools {

// Just past the bracket that closes the object or array opening at `from`; npos while it
// is still open. Brackets inside strings do not count.
size_t json_value_end(std::string_view text, size_t from);

// The bytes of the value of `key` (the first member so named) in the JSON object `object`
// (with no text after it); empty when it has none or is not an object.
std::string_view member_value(std::string_view object, std::string_view key);

}  // namespace lmc::tools

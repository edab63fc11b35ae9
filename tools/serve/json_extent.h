// Where a JSON object or array in a text ends, found by its brackets alone: a model's answer
// holds tool calls one after another (Llama 3.2's `{...}; {...}`), or a streamed one holds
// the start of a call, so neither is JSON as a whole for a parser to read.
#pragma once
#include <cstddef>
#include <string_view>

namespace lmc::tools {

// Just past the bracket that closes the object or array opening at `from`; npos while it
// is still open. Brackets inside strings do not count.
size_t json_value_end(std::string_view text, size_t from);

}  // namespace lmc::tools

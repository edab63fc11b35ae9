// Text from a model file or an artifact made printable on a terminal: a GGUF's metadata or
// an artifact's manifest can carry ESC sequences that retitle the window, hide text or
// move the cursor, so `lmc inspect` shows control characters as escapes instead of
// sending them. Valid UTF-8 letters pass unchanged.
#pragma once
#include <string>
#include <string_view>

namespace lmc::tools {

// C0 controls and DEL as \n, \t, \r, \e or \xNN; C1 controls (U+0080..U+009F, which some
// terminals obey too) as \u0080..; bytes that are not valid UTF-8 as \xNN; "\" as "\\".
std::string printable(std::string_view s);

}  // namespace lmc::tools

// Text from files (GGUF metadata, tensor names, YAML expressions, IR tokens) shown in a
// message or on a terminal. A hostile file could otherwise move the cursor, recolour or
// retitle the terminal with escape sequences, break an error's one line with a newline,
// or bury the message under an expression 100k characters long.
#pragma once
#include <string>
#include <string_view>

namespace lmc {

// C0 controls and DEL as \n, \t, \r, \e or \xNN; C1 controls (U+0080..U+009F, which some
// terminals obey too) as \u0080..; bytes that are not valid UTF-8 as \xNN; "\" as "\\".
// Valid UTF-8 letters pass unchanged.
std::string printable(std::string_view s);

// printable(s) but for backslashes, kept: for a message whose names were escaped where it
// was built (quoted_name), so that their escapes are not doubled, and still nothing in it
// reaches the terminal as a control.
std::string terminal_safe(std::string_view s);

// printable(s), cut to about `max` bytes with "..." and the number of bytes left out.
std::string excerpt(std::string_view s, size_t max = 80);

// A name from a file (a tensor's, a metadata key) in single quotes, escaped whole (up to
// `max` bytes, more than any real name's: GGUF's are at most 64): built into a message before the message is printed,
// since a NUL byte in it would end the message's C string there, taking the reason that follows with it.
std::string quoted_name(std::string_view name, size_t max = 96);

}  // namespace lmc

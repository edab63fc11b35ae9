// Text from files (GGUF metadata, tensor names, YAML expressions, IR tokens) shown in a
// message or on a terminal. A hostile file could otherwise move the cursor, recolour or
// retitle the terminal with escape sequences, break an error's one line with a newline,
// or bury the message under an expression 100k characters long.
#pragma once
#include <string>
#include <string_view>

namespace lmc {

// `s` with control characters (C0, DEL and UTF-8-encoded C1) written as \n, \t, \xNN.
std::string printable(std::string_view s);

// printable(s), cut to about `max` bytes with "..." and the number of bytes left out.
std::string excerpt(std::string_view s, size_t max = 80);

}  // namespace lmc

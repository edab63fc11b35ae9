// A request's fields lmc does not know (ServeRequest::ignored_fields): llama-server ignores
// them, so a client written for it (sending `id_slot`-era fields, its web UI's extras)
// still gets its answer; the server's log names them once per request, so a typo in a
// field is still found. `lmc serve --strict-fields` answers them 400 instead, as OpenAI does.
#pragma once
#include <string>
#include <vector>

namespace lmc::tools {

// Throws the 400 naming the first field when `strict`, else writes one line to stderr;
// nothing when there are none.
void handle_ignored_fields(const std::vector<std::string>& fields, bool strict);

}  // namespace lmc::tools

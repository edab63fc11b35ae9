// The stderr line of a request lmc serve's transport refused before any handler saw it
// (too large, too slow, malformed, past the connection bounds): the server's log has one
// line per request, these included. Its request line is the client's, escaped and cut.
#pragma once
#include "tools/serve/http/http_server.h"

namespace lmc::tools {

// "lmc: POST /v1/completions 413 refused, from 127.0.0.1: the request body is larger ...";
// "-" for a request whose line never arrived whole.
void log_refusal(const http::Refusal& r);

}  // namespace lmc::tools

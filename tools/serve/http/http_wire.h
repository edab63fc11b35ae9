// The HTTP/1.1 text lmc's transport (http_server.cpp) writes and reads by itself, beside
// what Boost.Beast frames: a chunked answer's head, chunks and end, a request target's path
// and query, header names' case, and how a limit is said in an error.
#pragma once
#include <chrono>
#include <string>
#include <utility>

namespace lmc::tools::http {

// The head of a 200 answer whose body follows in chunks (a stream of server-sent events).
std::string chunked_head(const std::string& content_type, bool keep_alive);
// One chunk of a chunked answer, framed; the end of the chunks.
std::string chunk(const std::string& bytes);
inline constexpr const char* kLastChunk = "0\r\n\r\n";
// A request target's path and its query (after '?', "" when none).
std::pair<std::string, std::string> split_target(const std::string& target);
std::string lower(std::string s);
// "10 s", or "1500 ms" when not whole seconds.
std::string seconds_text(std::chrono::milliseconds d);

}  // namespace lmc::tools::http

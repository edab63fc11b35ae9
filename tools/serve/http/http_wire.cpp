#include "tools/serve/http/http_wire.h"

#include <cctype>
#include <cstdio>

namespace lmc::tools::http {

std::string chunked_head(const std::string& content_type, bool keep_alive) {
  return "HTTP/1.1 200 OK\r\nContent-Type: " + content_type +
         "\r\nCache-Control: no-cache\r\nTransfer-Encoding: chunked\r\n" + (keep_alive ? "" : "Connection: close\r\n") +
         "\r\n";
}

std::string chunk(const std::string& bytes) {
  char size[24];
  std::snprintf(size, sizeof size, "%zx\r\n", bytes.size());
  return size + bytes + "\r\n";
}

std::pair<std::string, std::string> split_target(const std::string& target) {
  const size_t q = target.find('?');
  return {target.substr(0, q), q == std::string::npos ? "" : target.substr(q + 1)};
}

std::string lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

std::string seconds_text(std::chrono::milliseconds d) {
  auto ms = d.count();
  return ms % 1000 == 0 ? std::to_string(ms / 1000) + " s" : std::to_string(ms) + " ms";
}

}  // namespace lmc::tools::http

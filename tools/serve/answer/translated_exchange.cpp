#include "tools/serve/answer/translated_exchange.h"

namespace lmc::tools {

void TranslatedExchange::open_stream(const std::string& content_type, std::string ping,
                                     std::chrono::milliseconds ping_every, std::function<void(bool)> on_end) {
  client_->open_stream(content_type, std::move(ping), ping_every, std::move(on_end));
}

// The chat's chunks arrive as whole "data: ...\n\n" events, some in one write.
bool TranslatedExchange::write(std::string bytes) {
  std::string out;
  for (size_t at = 0; at < bytes.size();) {
    size_t end = bytes.find("\n\n", at);
    if (end == std::string::npos) end = bytes.size();
    const std::string line = bytes.substr(at, end - at);
    at = end + 2;
    if (line.rfind("data: ", 0) != 0) continue;
    if (line == "data: [DONE]") {
      out += end_events();
      continue;
    }
    const nlohmann::json c = nlohmann::json::parse(line.substr(6), nullptr, false);
    if (c.is_object()) out += chunk_events(c);
  }
  return out.empty() || client_->write(std::move(out));
}

}  // namespace lmc::tools

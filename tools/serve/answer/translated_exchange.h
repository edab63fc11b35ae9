// An exchange that hands a chat answer to its client in another API's shape (Anthropic's
// Messages, OpenAI's Responses): the request is answered as a chat, and what the chat
// writes passes through here. A whole answer is the subclass's to rewrite in reply(); a
// stream's "data: ..." chunks are parsed here and each becomes the API's events through
// chunk_events(), "data: [DONE]" through end_events().
#pragma once

#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "tools/serve/http/http_server.h"

namespace lmc::tools {

class TranslatedExchange : public http::Exchange {
 public:
  explicit TranslatedExchange(std::shared_ptr<http::Exchange> client) : client_(std::move(client)) {}

  void open_stream(const std::string& content_type, std::string ping, std::chrono::milliseconds ping_every,
                   std::function<void(bool)> on_end) override;
  bool write(std::string bytes) override;
  void end_stream() override { client_->end_stream(); }
  void on_gone(std::function<void()> f) override { client_->on_gone(std::move(f)); }

 protected:
  // The API's events for one chat chunk, and those that end its stream.
  virtual std::string chunk_events(const nlohmann::json& chunk) = 0;
  virtual std::string end_events() = 0;
  http::Exchange& client() { return *client_; }

 private:
  std::shared_ptr<http::Exchange> client_;
};

}  // namespace lmc::tools

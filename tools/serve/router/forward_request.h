// A request the router hands to a model's lmc serve on this machine's loopback, and that
// server's answer carried back to the client as it comes: whole (status, content type,
// body, Retry-After), or a stream piece by piece (server-sent events whole, so that the
// router's keep-alive comments fall between them). The client's API key stays with the
// router: the model's server gets the router's own key instead. The client leaving closes
// the connection to the model's server, which then frees the request's slot as for any client.
#pragma once
#include <atomic>
#include <memory>
#include <mutex>
#include <string>

#include "tools/serve/http/http_server.h"

namespace lmc::tools {

// One client's request while the router holds it: waiting for its model, then forwarded.
// Cancelled when the client leaves or the router stops.
class ForwardCall {
 public:
  bool cancelled() const { return *cancelled_; }
  // The flag alone, for what waits on it (and for CallThreads, which sets it as the server stops).
  const std::shared_ptr<std::atomic<bool>>& flag() const { return cancelled_; }
  // Sets the flag and closes the connection to the model's server, if one is open.
  void cancel();
  // The open connection (its descriptor), closed by cancel(); -1: none any more.
  void upstream(int fd);

 private:
  std::shared_ptr<std::atomic<bool>> cancelled_ = std::make_shared<std::atomic<bool>>(false);
  std::mutex mutex_;
  int fd_ = -1;
};

// Sends `req` (its method, path, query, body and content type) to the server at
// 127.0.0.1:`port` with `key` as its bearer, and answers `ex` with what it answers. A server
// that cannot be reached or breaks off before its answer began is a 502. Returns the
// answer's status (0: the client left before it).
int forward_request(const http::Request& req, int port, const std::string& key, http::Exchange& ex, ForwardCall& call);

// The status of GET `path` on the server at 127.0.0.1:`port`; 0 when nothing answers there.
int probe_status(int port, const std::string& path);

}  // namespace lmc::tools

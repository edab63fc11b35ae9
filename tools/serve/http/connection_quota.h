// How many connections lmc serve holds open, in all and from one address: a new one is
// taken or refused (with the words its 503 says), a closed one gives its place back.
// Thread-safe: connections open and close on the transport's threads.
#pragma once
#include <map>
#include <mutex>
#include <string>

namespace lmc::tools::http {

class ConnectionQuota {
 public:
  ConnectionQuota(int max_connections, int max_per_client) : max_(max_connections), max_per_client_(max_per_client) {}
  // "" when `client` may open one more (now counted), else why not.
  std::string take(const std::string& client);
  void give_back(const std::string& client);

 private:
  const int max_, max_per_client_;
  std::mutex mu_;
  int open_ = 0;
  std::map<std::string, int> per_client_;
};

}  // namespace lmc::tools::http

#include "tools/serve/http/connection_quota.h"

namespace lmc::tools::http {

std::string ConnectionQuota::take(const std::string& client) {
  std::lock_guard lock(mu_);
  if (open_ >= max_) return "the server holds its most connections (" + std::to_string(max_) + "); retry later";
  int& mine = per_client_[client];  // max_per_client_ >= 1: an address it refuses has an entry
  if (mine >= max_per_client_)
    return "this address holds its most connections (" + std::to_string(max_per_client_) + "); retry later";
  ++open_;
  ++mine;
  return "";
}

void ConnectionQuota::give_back(const std::string& client) {
  std::lock_guard lock(mu_);
  --open_;
  if (--per_client_[client] == 0) per_client_.erase(client);
}

}  // namespace lmc::tools::http

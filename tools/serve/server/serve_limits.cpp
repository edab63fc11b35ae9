#include "tools/serve/server/serve_limits.h"

namespace lmc::tools {

http::Limits limits_of(const ServeOptions& o) {
  http::Limits l;
  l.header_timeout = o.header_timeout;
  l.body_timeout = o.body_timeout;
  l.max_body_bytes = o.max_body_bytes;
  l.max_connections = o.max_connections;
  l.max_per_client = o.max_connections_per_client;
  return l;
}

}  // namespace lmc::tools

#include "tools/serve/http/tcp_listener.h"

#include "support/error.h"

namespace lmc::tools::http {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

void listen_at(tcp::acceptor& a, const std::string& host, int port, bool v6_only) {
  auto fail = [&](const std::string& why) {
    return Error(host + ":" + std::to_string(port) + ": error: cannot listen there (" + why + ")");
  };
  boost::system::error_code ec;
  asio::ip::address address = asio::ip::make_address(host == "localhost" ? "127.0.0.1" : host, ec);
  if (ec) throw fail("not an IP address: give one, such as 127.0.0.1 or 0.0.0.0");
  tcp::endpoint at(address, static_cast<unsigned short>(port));
  a.open(at.protocol(), ec);
  if (!ec) a.set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec && address.is_v6()) a.set_option(asio::ip::v6_only(v6_only), ec);
  if (!ec) a.bind(at, ec);
  if (!ec) a.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) throw fail(ec == asio::error::address_in_use ? "in use" : ec.message());
}

}  // namespace lmc::tools::http

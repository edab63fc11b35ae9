// A socket listening at one address of lmc serve's --host: an IP address ("localhost" reads
// as 127.0.0.1), or an error naming the address and why it cannot be listened at. Where the
// server listens at several addresses, an IPv6 one is IPv6 only (as llama-server's), so that
// "::" and "0.0.0.0" on one port are two sockets, not a clash.
#pragma once
// Boost 1.74's asio uses std::exchange without including <utility> itself.
#include <utility>
// clang-format off
#include <boost/asio.hpp>
// clang-format on
#include <string>

namespace lmc::tools::http {

void listen_at(boost::asio::ip::tcp::acceptor& a, const std::string& host, int port, bool v6_only);

}  // namespace lmc::tools::http

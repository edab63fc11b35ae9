// Vertex AI's routes, when they are asked for (ServeOptions::vertex): its predict route and
// its health route, added to the server by the route table (tools/serve/route_table.cpp)
// after every other, since the predict route sends each instance to one of them.
#pragma once

namespace lmc::tools {

class HttpApiServer;
void vertex_routes(HttpApiServer& server);

}  // namespace lmc::tools

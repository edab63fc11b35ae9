// lmc serve's chat answers in OpenAI's Responses shape (tools/serve/responses/responses_request.h reads
// the request): an Exchange between the chat's answer and the client that rewrites it — a
// whole answer as one response (an output message of output_text, usage), a stream's chunks
// as the Responses events (response.created, response.in_progress, output_item.added,
// content_part.added, output_text.delta..., their .done, response.completed). llama-server's
// telemetry goes along: a chunk's prompt_progress as a response.in_progress event, its timings
// on the delta, the last timings on response.completed.
#pragma once
#include <memory>

#include "tools/serve/http/http_server.h"

namespace lmc::tools {

std::shared_ptr<http::Exchange> responses_exchange(std::shared_ptr<http::Exchange> client);

}  // namespace lmc::tools

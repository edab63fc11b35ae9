// lmc serve's chat answers in Anthropic's Messages shape (tools/serve/anthropic/anthropic_request.h
// reads the request): an Exchange that stands between the chat's answer and the client and
// rewrites it — a whole answer as one message (text, thinking and tool_use content blocks,
// stop_reason, usage), an error as Anthropic's error body, a stream's OpenAI chunks as
// Anthropic's events (message_start, content_block_start/delta/stop per block,
// message_delta with the stop reason and usage, message_stop).
#pragma once
#include <cstdint>
#include <memory>

#include "tools/serve/http/http_server.h"

namespace lmc::tools {

// `input_tokens`: the rendered prompt's length, which a stream's message_start reports
// before the chat's own count arrives with its last chunk.
std::shared_ptr<http::Exchange> anthropic_exchange(std::shared_ptr<http::Exchange> client, int64_t input_tokens);

}  // namespace lmc::tools

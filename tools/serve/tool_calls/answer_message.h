// A chat answer's message as a whole (not streamed) response gives it, from the answer's
// text: its tool calls (tool_calls.h) or its content. It tells what a stream of the same
// answer (tool_call_stream.h) adds up to, so a client reads the same either way.
#pragma once
#include <string>

#include <nlohmann/json.hpp>

#include "tools/serve/tool_calls/tool_calls.h"

namespace lmc::tools {

// {"role": "assistant", "content": null, "tool_calls": [...]} with `finish_reason` made
// "tool_calls" when `text` holds whole calls the request allows; else the text as its
// content. With `none` (or no tools) nothing is parsed. `cut`: the server ended the answer
// where the model had not, at max_tokens ("length") or at a stop string ("stop"), so maybe
// inside its calls. Such an answer is what its stream sent before the cut, as OpenAI and
// llama-server answer it: the calls begun, the last one's arguments the JSON written so far
// (which does not parse), `finish_reason` as it was.
nlohmann::json answer_message(const ToolOptions& tools, const std::string& text, const std::string& call_id,
                              std::string& finish_reason, bool cut = false);

}  // namespace lmc::tools

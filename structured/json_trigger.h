// Where JSON sits in an answer that may also be free text (tool calls): what the answer
// begins with for its JSON to start, and what may join one JSON value to another. Plain
// data, read by TriggeredJsonConstraint (triggered_json_constraint.h) and carried by the
// serve request that asks for it.
#pragma once
#include <cstddef>
#include <string>

namespace lmc::structured {

struct JsonTrigger {
  // Once the answer begins with this, the rest is JSON ("": at once); an answer that
  // leaves it is free text.
  std::string text;
  // How many of text's last bytes are the JSON's own first ones (Llama 3's '{"name":').
  size_t json_bytes = 0;
  // With `again` non-empty, a whole JSON value need not end the answer: it may end there,
  // or after `close`, or go on with close + again and another value (Hermes tool calls,
  // "\n</tool_call>" then "\n<tool_call>\n"). With `again` empty it ends at the value's end.
  std::string close;
  std::string again;
  // May come before `text` and is no part of the JSON: Llama 3.1's <|python_tag|>, which a
  // model may write as text rather than as its control token (that one writes no text).
  std::string lead;

  // Whether the answer is other than one JSON value from its first byte.
  bool any() const { return !text.empty() || !again.empty(); }
};

}  // namespace lmc::structured

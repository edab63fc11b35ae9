// The order of an answer's tool calls in its form (tool_call_format.h), a step at a time:
// past the form's opening, each call's object and what joins and ends them,
//   a list form (Mistral's):             [ call , call ... ]   then nothing but spaces;
//   a form of blocks (Hermes'):          call close, any text up to the next opening, call ...;
//   a form without an opening (Llama's): call joint call ...   (the joint ';');
// with any spacing around their literals. The one definition both the whole-answer reader
// (tool_calls.h) and the stream (tool_call_stream.h) step through, so a text one takes for
// calls the other takes too. A call's object itself ends by its brackets (json_extent.h).
#pragma once
#include <cstddef>
#include <string_view>

#include "tools/serve/tool_calls/tool_call_format.h"

namespace lmc::tools {

// What a text holds where a call may begin.
struct CallStep {
  enum class Kind {
    Call,  // a call's object begins at `at`
    More,  // the text ends before it tells: it may go on into a call
    Off,   // the text leaves the form: no call comes here
  };
  Kind kind = Kind::More;
  size_t at = std::string_view::npos;
  // With More: the calls may end where the text does (an answer ending there is whole).
  bool may_end = false;
};

// The first call in `text` from `from`, just past the form's opening.
CallStep first_call_step(const ToolCallFormat& format, std::string_view text, size_t from);

// The call after the one whose object ends just before `end`.
CallStep next_call_step(const ToolCallFormat& format, std::string_view text, size_t end);

// Where the calls begin in a whole answer of free text (tool_choice auto): just past the
// form's first opening, wherever it comes (a stream, which cannot take back text it sent,
// takes only an answer that begins with its trigger); in a form without one (Llama's), the
// answer itself, maybe after its tag. npos when the text has no opening.
size_t calls_start_in_text(const ToolCallFormat& format, std::string_view text);

}  // namespace lmc::tools

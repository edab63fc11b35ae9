// The chat page lmc serve answers GET / with (tools/serve/server/webui/chat.html, built into the
// module at build time with marked, DOMPurify and highlight.js inlined): streaming answers
// rendered as sanitized markdown, stop, retry or edit a failed turn, regenerate, copy,
// settings, the conversations kept in the browser, new chat, the model's name and speed.
#pragma once
#include <string_view>

namespace lmc::tools {

std::string_view chat_page_html();

}  // namespace lmc::tools

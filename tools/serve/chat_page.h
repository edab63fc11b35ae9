// The chat page lmc serve answers GET / with (tools/serve/webui/chat.html, built into the
// module at build time): streaming answers, stop, new chat, the model's name and speed.
#pragma once
#include <string_view>

namespace lmc::tools {

std::string_view chat_page_html();

}  // namespace lmc::tools

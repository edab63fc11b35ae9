// What lmc serve does with a chat answer's reasoning (the text a reasoning model writes
// between <think> and </think> before its answer), as llama-server's --reasoning-format and
// its request field `reasoning_format` name it: none leaves it in the content; deepseek (and
// auto, the default, which is deepseek for every template lmc knows) moves it to
// `reasoning_content`; deepseek-legacy puts it there and leaves the content whole.
#pragma once
#include <optional>
#include <string>
#include <string_view>

namespace lmc::tools {

enum class ReasoningFormat { None, Deepseek, DeepseekLegacy, Auto };

// The format of that name; nullopt for another.
std::optional<ReasoningFormat> reasoning_format_named(std::string_view name);
// Its name, as the flag takes it (/props shows the server's).
std::string_view reasoning_format_name(ReasoningFormat format);
// The names, for messages: "none, deepseek, deepseek-legacy or auto".
const std::string& reasoning_format_names();

}  // namespace lmc::tools

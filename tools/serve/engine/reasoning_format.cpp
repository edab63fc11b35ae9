#include "tools/serve/engine/reasoning_format.h"

namespace lmc::tools {

std::optional<ReasoningFormat> reasoning_format_named(std::string_view name) {
  if (name == "none") return ReasoningFormat::None;
  if (name == "deepseek") return ReasoningFormat::Deepseek;
  if (name == "deepseek-legacy") return ReasoningFormat::DeepseekLegacy;
  if (name == "auto") return ReasoningFormat::Auto;
  return std::nullopt;
}

std::string_view reasoning_format_name(ReasoningFormat format) {
  switch (format) {
    case ReasoningFormat::None:
      return "none";
    case ReasoningFormat::Deepseek:
      return "deepseek";
    case ReasoningFormat::DeepseekLegacy:
      return "deepseek-legacy";
    case ReasoningFormat::Auto:
      return "auto";
  }
  return "auto";
}

const std::string& reasoning_format_names() {
  static const std::string names = "none, deepseek, deepseek-legacy or auto";
  return names;
}

}  // namespace lmc::tools

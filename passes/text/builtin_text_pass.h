// The built-in passes written as pass files (passes/text/builtin/<stem>.pass): their text
// is compiled in (embed_pass_files.cmake), so lmc needs no file beside it, from a build or
// an install tree alike; the table of built-in passes (builtin_passes.def) names each once,
// with LMC_TEXT_PASS(name, stem).
#pragma once
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "passes/api/pass.h"

namespace lmc::passes::text {

// The text of builtin/<stem>.pass, or "" when the table names no such pass file.
std::string_view builtin_pass_text(std::string_view stem);
// The factory of the built-in pass `name`, parsed from builtin/<stem>.pass; throws
// lmc::Error when the file does not parse or calls its pass otherwise.
std::function<std::unique_ptr<Pass>()> builtin_text_pass(const std::string& name, const std::string& stem);

}  // namespace lmc::passes::text

#include "passes/text/builtin_text_pass.h"

#include "passes/text/text_fusion_pass.h"
#include "support/error.h"

namespace lmc::passes::text {

std::function<std::unique_ptr<Pass>()> builtin_text_pass(const std::string& name, const std::string& stem) {
  std::string file = "passes/text/builtin/" + stem + ".pass";
  auto parsed = std::make_shared<const PassFile>(parse_pass_file(builtin_pass_text(stem), file));
  if (parsed->name != name)
    throw error_at(file, "states pass '" + parsed->name + "', the table of built-in passes calls it '" + name + "'");
  return text_pass_factory(parsed);
}

}  // namespace lmc::passes::text

#include "tools/lmc/llama/version_text.h"

#include "tools/lmc/llama/build_commit.h"

namespace lmc::tools {

std::string version_text() {
  return std::string("lmc ") + LMC_VERSION + " (commit " + build_commit() + ", build " +
         std::to_string(build_number()) + ")\n";
}

}  // namespace lmc::tools

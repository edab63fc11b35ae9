#include "tools/lmc/flags/artifact_flags.h"

namespace lmc::tools {

std::vector<FlagSpec> artifact_flag_specs() {
  return {
      {"trust-artifact-key", true,
       "also run the object code of artifacts sealed with the key in FILE (repeatable; see docs/security.md)", "FILE"},
      {"no-verify-weights", false, "skip checking the weights' digests when opening an artifact"},
  };
}

driver::ArtifactTrust artifact_trust(const Args& a) {
  return driver::artifact_trust(a.all("trust-artifact-key"), !a.has("no-verify-weights"));
}

}  // namespace lmc::tools

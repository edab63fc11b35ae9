#include "tools/artifact_trust.h"

#include "runtime/artifact_seal.h"

namespace lmc::tools {

std::vector<FlagSpec> artifact_flag_specs() {
  return {
      {"trust-artifact-key", true,
       "also run the object code of artifacts sealed with the key in FILE (repeatable; see docs/security.md)", "FILE"},
      {"no-verify-weights", false, "skip checking the weights' digests when opening an artifact"},
  };
}

ArtifactTrust artifact_trust(const Args& a) {
  ArtifactTrust t;
  t.keys.push_back(runtime::user_key());
  for (const auto& f : a.all("trust-artifact-key")) t.keys.push_back(runtime::read_key_file(f));
  t.verify_weights = !a.has("no-verify-weights");
  return t;
}

std::optional<std::string> trusted_seal(const runtime::Artifact& art, const ArtifactTrust& trust) {
  for (const auto& k : trust.keys)
    if (runtime::sealed_with(art, k)) return k.path;
  return std::nullopt;
}

}  // namespace lmc::tools

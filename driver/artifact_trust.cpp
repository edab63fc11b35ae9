#include "driver/artifact_trust.h"

#include "runtime/artifact/artifact_seal.h"

namespace lmc::driver {

ArtifactTrust artifact_trust(const std::vector<std::string>& key_files, bool verify_weights) {
  ArtifactTrust t;
  t.keys.push_back(runtime::user_key());
  for (const auto& f : key_files) t.keys.push_back(runtime::read_key_file(f));
  t.verify_weights = verify_weights;
  return t;
}

std::optional<std::string> trusted_seal(const runtime::Artifact& art, const ArtifactTrust& trust) {
  for (const auto& k : trust.keys)
    if (runtime::sealed_with(art, k)) return k.path;
  return std::nullopt;
}

}  // namespace lmc::driver

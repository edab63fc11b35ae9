// Which artifacts `lmc run`, `lmc bench` and `lmc verify` trust to run their object code
// (docs/security.md): those sealed with the user's key, or with another key the user names.
// And whether the weights' digests are checked on open.
#pragma once
#include <optional>
#include <string>
#include <vector>

#include "runtime/artifact/artifact.h"
#include "runtime/artifact/artifact_key.h"

namespace lmc::driver {

struct ArtifactTrust {
  std::vector<runtime::ArtifactKey> keys;  // the user's first
  bool verify_weights = true;
  // An artifact whose object code may not run here has its kernels compiled again from its
  // IR, on every open; a compile cache entry is refused instead (an lmc::Error), so that
  // the cache replaces it once.
  bool recompile_untrusted = true;
};

// The user's key (created on first use) and the keys in `key_files`.
ArtifactTrust artifact_trust(const std::vector<std::string>& key_files, bool verify_weights);
// The file of the key that sealed `art`, or nullopt when none of `trust`'s did.
std::optional<std::string> trusted_seal(const runtime::Artifact& art, const ArtifactTrust& trust);

}  // namespace lmc::driver

// Which artifacts `lmc run`, `lmc bench` and `lmc verify` trust to run their object code
// (docs/security.md): those sealed with the user's key, or with a key named by
// --trust-artifact-key. And whether the weights' digests are checked on open
// (--no-verify-weights skips it).
#pragma once
#include <optional>
#include <string>
#include <vector>

#include "runtime/artifact.h"
#include "runtime/artifact_key.h"
#include "tools/cli_args.h"

namespace lmc::tools {

struct ArtifactTrust {
  std::vector<runtime::ArtifactKey> keys;  // the user's first
  bool verify_weights = true;
};

std::vector<FlagSpec> artifact_flag_specs();
// Reads the user's key (creating it on first use) and every --trust-artifact-key file.
ArtifactTrust artifact_trust(const Args& a);
// The file of the key that sealed `art`, or nullopt when none of `trust`'s did.
std::optional<std::string> trusted_seal(const runtime::Artifact& art, const ArtifactTrust& trust);

}  // namespace lmc::tools

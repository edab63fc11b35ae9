// The artifact's seal: HMAC-SHA256 under an ArtifactKey (runtime/artifact/artifact_key.h) over
// everything that decides what runs — every section but "weights" (manifest, IR, kernel
// object code, tokenizer, the weight index with each tensor's digest), then the section
// table (names, places and digests of all sections, "weights" included), then the header
// from the format version to the table digest. A section digest alone cannot stop a
// forger: anyone can recompute it. The seal can only be made with the key, so `lmc run`
// loads object code only from artifacts it verifies (docs/security.md).
//
// The weights are covered through their digests, which detect corruption; a forger able
// to collide XXH3 could change the numbers the kernels read, never the code that runs.
#pragma once
#include <string_view>
#include <vector>

#include "runtime/artifact/artifact.h"
#include "runtime/artifact/artifact_key.h"
#include "runtime/artifact/crypto.h"

namespace lmc::runtime {

// `sections`: the bytes of every section but "weights", in section-table order;
// `table`: the section table; `header`: the whole header (the seal's own bytes are skipped).
Mac256 compute_seal(const ArtifactKey& key, const std::vector<std::string_view>& sections, std::string_view table,
                    std::string_view header);

bool sealed_with(const Artifact& a, const ArtifactKey& key);

}  // namespace lmc::runtime

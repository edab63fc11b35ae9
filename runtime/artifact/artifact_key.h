// The per-user secret that seals artifacts (docs/security.md). `lmc compile` seals with
// it and `lmc run` runs object code only from artifacts sealed with it (or with a key the
// user names with --trust-artifact-key). It lives in $LMC_KEY_FILE when set, else
// $XDG_CONFIG_HOME/lmc/key, else ~/.config/lmc/key, and is created on first use: 32
// random bytes written as 64 hex digits, mode 0600 in a 0700 directory.
#pragma once
#include <string>

namespace lmc::runtime {

struct ArtifactKey {
  std::string secret;  // 32 bytes
  std::string path;    // the file it came from, for messages
};

// Throws lmc::Error when neither LMC_KEY_FILE, XDG_CONFIG_HOME nor HOME is set.
std::string user_key_path();
// The user's key, created when the file does not exist yet.
ArtifactKey user_key();
// A key file: must be a regular file owned by this user that no one else can read or
// write (anyone who can read it can forge artifacts this user runs). Throws lmc::Error
// "<path>: error: ..." otherwise, or when it is not 64 hex digits.
ArtifactKey read_key_file(const std::string& path);

}  // namespace lmc::runtime
